// The test hook: live chart instances in window.__flowdeckCharts (data-testid -> instance), so an
// end-to-end test can find a chart element's pixel position (convertToPixel) and click the canvas.
// A plain Map on purpose: nothing in the app reads it, nothing reacts to it.
import type { EChartsType } from 'echarts/core';

declare global {
  interface Window {
    /** Live chart instances by their element's data-testid, for end-to-end tests. */
    __flowdeckCharts?: Map<string, EChartsType>;
  }
}

/** Registers `chart` under `id` for tests; returns the unregister function. */
export function registerChart(id: string | undefined, chart: EChartsType): () => void {
  if (!id || typeof window === 'undefined') return () => {};
  const charts = (window.__flowdeckCharts ??= new Map());
  charts.set(id, chart);
  return () => {
    if (charts.get(id) === chart) charts.delete(id);
  };
}
