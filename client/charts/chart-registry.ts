// The test hook: live chart instances in window.__flowdeckCharts (data-testid -> instance: ECharts,
// or a TimeChart with the same getOption and convertToPixel), so an end-to-end test can find a
// chart element's pixel position (convertToPixel) and click the canvas.
// A plain Map on purpose: nothing in the app reads it, nothing reacts to it.
/** What a test reads of a chart: its option as drawn (and, by cast, its pixel conversions). */
export interface RegisteredChart {
  getOption(): unknown;
}

declare global {
  interface Window {
    /** Live chart instances by their element's data-testid, for end-to-end tests. */
    __flowdeckCharts?: Map<string, RegisteredChart>;
  }
}

/** Registers `chart` under `id` for tests; returns the unregister function. */
export function registerChart(id: string | undefined, chart: RegisteredChart): () => void {
  if (!id || typeof window === 'undefined') return () => {};
  const charts = (window.__flowdeckCharts ??= new Map());
  charts.set(id, chart);
  return () => {
    if (charts.get(id) === chart) charts.delete(id);
  };
}
