// The client's bounded window buffer: per windowStart the highest revision, the last 60 minutes
// (plus a margin) measured from the newest window, never from the browser clock.
import { MIN_WINDOW_MS } from '../../shared/capture-window.ts';
import type { WindowAggregate } from '../../shared/events.ts';

/** What the dashboard shows. */
export const HISTORY_MS = 60 * 60_000;
/** Kept beyond HISTORY_MS so late revisions of the oldest shown windows still have a slot. */
export const MARGIN_MS = 10 * 60_000;
/** Hard bound on the buffer, whatever the window starts look like (the shortest windows). */
export const MAX_WINDOWS = (HISTORY_MS + MARGIN_MS) / MIN_WINDOW_MS + 1;

export interface MergeResult {
  /** Sorted by windowStart, oldest first; the `held` array itself when nothing changed. */
  windows: WindowAggregate[];
  /** How many of `incoming` were stored (new window, or a higher revision of a held one). */
  applied: number;
}

/**
 * Merges `incoming` into `held`. A window replaces the held one of the same windowStart only when
 * its revision is higher (revisions are full states, never added). Windows older than the newest
 * minus HISTORY_MS + MARGIN_MS are dropped, and at most MAX_WINDOWS are kept.
 */
export function mergeWindows(
  held: readonly WindowAggregate[],
  incoming: readonly WindowAggregate[],
): MergeResult {
  const byStart = new Map<number, WindowAggregate>();
  for (const w of held) byStart.set(w.windowStart, w);
  const stored = new Set<WindowAggregate>();
  for (const w of incoming) {
    const current = byStart.get(w.windowStart);
    if (current && current.revision >= w.revision) continue;
    if (current) stored.delete(current);
    byStart.set(w.windowStart, w);
    stored.add(w);
  }
  if (stored.size === 0) return { windows: held as WindowAggregate[], applied: 0 };

  const all = [...byStart.values()].sort((a, b) => a.windowStart - b.windowStart);
  const newest = all.at(-1)?.windowStart ?? 0;
  const oldestKept = newest - HISTORY_MS - MARGIN_MS;
  const windows = all.filter((w) => w.windowStart >= oldestKept).slice(-MAX_WINDOWS);
  const applied = windows.reduce((n, w) => n + (stored.has(w) ? 1 : 0), 0);
  if (applied === 0) return { windows: held as WindowAggregate[], applied: 0 };
  return { windows, applied };
}

/**
 * The windows of the last `minutes` minutes, counted back from the end of the newest window; the
 * newest window at least (a 5-minute window is "the last minute" too).
 */
export function lastMinutes(
  windows: readonly WindowAggregate[],
  minutes: number,
): WindowAggregate[] {
  const newest = windows.at(-1);
  if (!newest) return [];
  const from = Math.min(
    newest.windowStart,
    newest.windowStart + newest.windowMs - minutes * 60_000,
  );
  return windows.filter((w) => w.windowStart >= from);
}

/** The windows the charts show: the last HISTORY_MS (the margin stays out of sight). */
export function shownWindows(windows: readonly WindowAggregate[]): WindowAggregate[] {
  return lastMinutes(windows, HISTORY_MS / 60_000);
}

/** True when both lists hold the same objects in the same order (a derived value can keep its array). */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
