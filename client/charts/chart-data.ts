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

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * An option's functions (formatters reading the data they were built with), each behind a stand-in
 * that stays the same from draw to draw and calls the newest function given for its place. A
 * component whose JSON did not change then need not be merged again for its formatter's sake:
 * its stand-in already answers with the new data (merging the tooltip and an axis again only for
 * their formatters cost ECharts about 4 ms of a live update per chart).
 */
const isPrimitive = (v: unknown) =>
  v === null || (typeof v !== 'object' && typeof v !== 'function');

export class FunctionSlots {
  #latest = new Map<string, AnyFunction>();
  #standIns = new Map<string, AnyFunction>();

  /** `value` with its functions replaced by their stand-ins; copied only on the way to one. */
  bind<T>(value: T, path = ''): T {
    if (typeof value === 'function') {
      this.#latest.set(path, value as AnyFunction);
      let standIn = this.#standIns.get(path);
      if (!standIn) {
        const latest = this.#latest;
        standIn = function (this: unknown, ...args: unknown[]) {
          return latest.get(path)!.apply(this, args);
        };
        this.#standIns.set(path, standIn);
      }
      return standIn as T;
    }
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        // A data point ([t, v]) holds no function: skipped without a path made for it (a live
        // update binds a few hundred of them).
        if (v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(isPrimitive)))
          continue;
        const b = this.bind(v, `${path}.${i}`);
        if (b !== v) (out ??= [...value])[i] = b;
      }
      return (out ?? value) as T;
    }
    if (value && typeof value === 'object') {
      let out: Record<string, unknown> | null = null;
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'function' && (v === null || typeof v !== 'object')) continue;
        const b = this.bind(v, `${path}.${k}`);
        if (b !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = b;
      }
      return (out ?? value) as T;
    }
    return value;
  }
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
 * legend, grid, title, tooltip and the value axis stay, and merging them again costs ECharts half
 * its update). Functions are left out of the comparison: bound through FunctionSlots, the drawn
 * ones call the newest. `null` when nothing changed. Components absent from `option` are left as
 * they are, as ECharts' merge would.
 */
export function optionChanges(
  option: EChartsCoreOption,
  parts: OptionParts,
  drawn: OptionParts,
): EChartsCoreOption | null {
  const changed: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(option)) {
    if (drawn.get(key) !== parts.get(key)) {
      changed[key] = value;
      any = true;
    }
  }
  return any ? changed : null;
}
