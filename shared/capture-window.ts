// Capture windows: the one place that says how long a window is and which window a record is in.
// A flow log aggregates its records per capture window (Tencent Cloud: NAT gateway and CCN flow
// logs 1 minute, ENI flow logs about 5 minutes; 10 minutes can be chosen). A topic aggregates at
// one window length; a record belongs to the window that holds its `start`. No Node, no DOM.
import type { CollectionRange } from './catalog.ts';

/** Capture windows a flow log can have, seconds. */
export const CAPTURE_WINDOWS = [60, 300, 600] as const;
export type CaptureWindowSec = (typeof CAPTURE_WINDOWS)[number];

/** The finest window: every window length is a multiple of it, and every step of a chart too. */
export const MIN_WINDOW_MS = CAPTURE_WINDOWS[0] * 1000;

export function isCaptureWindow(n: unknown): n is CaptureWindowSec {
  return (CAPTURE_WINDOWS as readonly unknown[]).includes(n);
}

/** The capture window a new flow log gets when none is given, by collection range. */
export function defaultCaptureWindow(range: CollectionRange): CaptureWindowSec {
  return range === 'ENI' ? 300 : 60;
}

/**
 * Whether a flow log with capture window `flowLogSec` can write into a topic aggregating at
 * `topicSec`: only when the topic's window is a whole multiple of it. Its records then fold into
 * the topic's longer windows exactly (each record's start lies in one of them); a flow log with a
 * longer window than its topic would be drawn as spikes, one window in several.
 */
export function fitsTopicWindow(flowLogSec: number, topicSec: number): boolean {
  return topicSec >= flowLogSec && topicSec % flowLogSec === 0;
}

/** Start (epoch ms) of the window of length `windowMs` that holds `startSec` (epoch seconds). */
export function windowStartOf(startSec: number, windowMs: number): number {
  return Math.floor((startSec * 1000) / windowMs) * windowMs;
}

/** Start (epoch ms) of the window of length `windowMs` that holds `ms`. */
export function alignToWindow(ms: number, windowMs: number): number {
  return Math.floor(ms / windowMs) * windowMs;
}

/**
 * How long after a window closes the service publishes it: Tencent Cloud aggregates a window for
 * about a minute and publishes it about five minutes later.
 */
export const SERVICE_PUBLISH_DELAY_MS = 5 * 60_000;

/**
 * When a new flow log's first records can be expected (epoch ms): one capture window plus the
 * publication delay after its creation, as the console says ("about six minutes" for 1 minute).
 */
export function firstRecordsExpectedAt(
  createdAt: number,
  captureWindowSec: number,
  publishDelayMs = SERVICE_PUBLISH_DELAY_MS,
): number {
  return createdAt + captureWindowSec * 1000 + publishDelayMs;
}

/**
 * A new flow log without records is waiting (not silent) until two capture windows after its
 * first records were due: the ingest-health panel and the dashboard's stream list agree on this.
 */
export function awaitingFirstRecords(
  createdAt: number,
  captureWindowSec: number,
  now: number,
): boolean {
  return now <= firstRecordsExpectedAt(createdAt, captureWindowSec) + 2 * captureWindowSec * 1000;
}

/** "1-minute", "5-minute", "10-minute": a window length for people. */
export function windowLabel(windowMs: number): string {
  const min = windowMs / 60_000;
  return Number.isInteger(min) ? `${min}-minute` : `${windowMs / 1000}-second`;
}
