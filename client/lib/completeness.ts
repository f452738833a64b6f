// Whether a capture window is complete. Log streams publish staggered, so the newest window usually
// holds only the streams that have reported so far; figures of "now" (KPIs, the donut, the overview
// card's current rate) use the newest complete window instead. Pure; server time is passed in.
import type { TopicPulse, WindowAggregate } from '../../shared/events.ts';

/** A window counts as complete this long after its end plus the topic's usual publication delay. */
export const COMPLETE_GRACE_MS = 2 * 60_000;

export interface Completeness {
  /** Stream ids of the topic (its configured log streams). */
  streamIds: readonly string[];
  /** Estimated server time, or null when unknown (then only the streams rule applies). */
  serverNow: number | null;
  /** The topic's usual publication delay, ms (see stats.ts usualDelay). */
  delayMs: number;
}

/** Streams of the topic that have reported in `w`. */
export function streamsReported(w: WindowAggregate, streamIds: readonly string[]): number {
  const seen = new Set(w.streams.map((s) => s.streamId));
  return streamIds.reduce((n, id) => n + (seen.has(id) ? 1 : 0), 0);
}

/** True when the time rule alone says a window [windowStart, windowEnd) is complete. */
export function oldEnough(windowEnd: number, serverNow: number | null, delayMs: number): boolean {
  return serverNow !== null && serverNow >= windowEnd + delayMs + COMPLETE_GRACE_MS;
}

/** Complete: every stream of the topic reported, or the window is old enough that no more will. */
export function isComplete(w: WindowAggregate, c: Completeness): boolean {
  return (
    streamsReported(w, c.streamIds) >= c.streamIds.length ||
    oldEnough(w.windowStart + w.windowMs, c.serverNow, c.delayMs)
  );
}

export interface CompleteSplit {
  /** Oldest first, up to and including the newest complete window. */
  complete: WindowAggregate[];
  /** The incomplete windows after it (the trailing ones still reporting), oldest first. */
  pending: WindowAggregate[];
  /** The newest complete window, or null. */
  latest: WindowAggregate | null;
  /** End of the newest complete window (epoch ms): data from here on may still grow; null without one. */
  completeUntil: number | null;
}

/** Splits sorted windows at the newest complete one. */
export function splitComplete(windows: readonly WindowAggregate[], c: Completeness): CompleteSplit {
  let i = windows.length - 1;
  while (i >= 0 && !isComplete(windows[i]!, c)) i--;
  const complete = windows.slice(0, i + 1);
  const latest = complete.at(-1) ?? null;
  return {
    complete,
    pending: windows.slice(i + 1),
    latest,
    completeUntil: latest ? latest.windowStart + latest.windowMs : null,
  };
}

/**
 * The overview's "current" point of a pulse: the newest sparkline point that is old enough to be
 * complete (the pulse does not say which streams reported, so only the time rule applies). The
 * delay is the topic's last observed one (publication time minus the newest window's end).
 */
export function completePulsePoint(
  pulse: TopicPulse | undefined,
  serverNow: number | null,
): readonly [number, number] | null {
  if (!pulse || pulse.spark.length === 0) return null;
  const delay =
    pulse.lastPublishedAt !== null && pulse.lastWindowStart !== null
      ? Math.max(0, pulse.lastPublishedAt - (pulse.lastWindowStart + pulse.windowMs))
      : 0;
  for (let i = pulse.spark.length - 1; i >= 0; i--) {
    const point = pulse.spark[i]!;
    if (oldEnough(point[0] + pulse.windowMs, serverNow, delay)) return point;
  }
  return null;
}
