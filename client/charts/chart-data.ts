// What the chart lifecycle reads from an option: its series identity and whether it has data. Pure.
import type { EChartsCoreOption } from 'echarts/core';

type SeriesLike = { id?: unknown; type?: unknown; data?: unknown };

function seriesList(option: EChartsCoreOption): SeriesLike[] {
  const s = (option as { series?: unknown }).series;
  if (Array.isArray(s)) return s as SeriesLike[];
  return s && typeof s === 'object' ? [s as SeriesLike] : [];
}

/** The identity of an option's series set: when it changes, series are replaced, not merged. */
export function seriesKey(option: EChartsCoreOption): string {
  return seriesList(option)
    .map((s) => `${String(s.type)}:${String(s.id)}`)
    .join('|');
}

/** True when some series (or the dataset) holds at least one data item. */
export function hasData(option: EChartsCoreOption): boolean {
  const dataset = (option as { dataset?: { source?: unknown } }).dataset;
  if (dataset && Array.isArray(dataset.source) && dataset.source.length > 0) return true;
  return seriesList(option).some((s) => Array.isArray(s.data) && s.data.length > 0);
}
