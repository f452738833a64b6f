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

function holdsFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (Array.isArray(value)) return value.some(holdsFunction);
  if (value && typeof value === 'object') return Object.values(value).some(holdsFunction);
  return false;
}

/** An option's top-level components, each as JSON: what a chart drew, for `optionChanges`. */
export type OptionParts = ReadonlyMap<string, string>;

export function optionParts(option: EChartsCoreOption): OptionParts {
  return new Map(Object.entries(option).map(([k, v]) => [k, JSON.stringify(v) ?? 'undefined']));
}

export function sameParts(a: OptionParts, b: OptionParts): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The part of `option` (whose parts are `parts`) to merge into a chart that drew `drawn`: only the
 * top-level components whose JSON changed (a live update mostly moves the series and the axis; the
 * legend, grid, title and tooltip stay, and merging them again costs ECharts half its update). A
 * component holding a function (a formatter reading the data it was built with) goes with every
 * change, so it never reads old data. `null` when nothing changed. Components absent from
 * `option` are left as they are, as ECharts' merge would.
 */
export function optionChanges(
  option: EChartsCoreOption,
  parts: OptionParts,
  drawn: OptionParts,
): EChartsCoreOption | null {
  const changed: Record<string, unknown> = {};
  const withFunctions: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(option)) {
    if (drawn.get(key) !== parts.get(key)) {
      changed[key] = value;
      any = true;
    } else if (holdsFunction(value)) withFunctions[key] = value;
  }
  return any ? { ...withFunctions, ...changed } : null;
}
