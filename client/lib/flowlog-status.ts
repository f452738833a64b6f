// What a flow log is doing, for its status column and page: off, waiting for its first records
// (and since when they are expected), receiving, or silent. Pure: the topic's ingest health and
// the time are passed in.
import type { StreamIngest, TopicIngestHealth } from '../../shared/api.ts';
import type { FlowLogInfo } from '../../shared/catalog.ts';
import { formatDuration, formatHm } from './format.ts';

export type FlowLogState = 'off' | 'waiting' | 'late' | 'receiving' | 'silent' | 'unknown';

export interface FlowLogStatus {
  state: FlowLogState;
  /** One line for people. */
  text: string;
}

/** The ingest rows of a flow log's streams. */
export function streamsOf(fl: FlowLogInfo, health: TopicIngestHealth | null): StreamIngest[] {
  return health?.streams.filter((s) => s.flowLogId === fl.id) ?? [];
}

export function flowLogStatus(
  fl: FlowLogInfo,
  health: TopicIngestHealth | null,
  now: number,
): FlowLogStatus {
  if (!fl.enabled) return { state: 'off', text: 'Collection off' };
  if (!health) return { state: 'unknown', text: 'Enabled' };
  const streams = streamsOf(fl, health);
  const arrivals = streams.flatMap((s) => (s.lastArrival !== null ? [s.lastArrival] : []));
  const windows = streams.flatMap((s) => (s.lastWindowStart !== null ? [s.lastWindowStart] : []));
  if (arrivals.length === 0 && windows.length === 0) {
    const expected = streams.find((s) => s.expectedBy !== null)?.expectedBy ?? null;
    if (expected === null) return { state: 'waiting', text: 'No records yet' };
    if (now <= expected)
      return {
        state: 'waiting',
        text: `First records expected by ${formatHm(expected)} (in about ${formatDuration(expected - now)})`,
      };
    return {
      state: 'late',
      text: `No records yet: expected by ${formatHm(expected)}, ${formatDuration(now - expected)} ago`,
    };
  }
  if (streams.some((s) => s.silent)) {
    const silent = streams.filter((s) => s.silent).length;
    return {
      state: 'silent',
      text:
        streams.length === 1
          ? `Silent since ${formatHm(Math.max(...arrivals, ...windows))}`
          : `${silent} of ${streams.length} streams silent`,
    };
  }
  const last = arrivals.length > 0 ? Math.max(...arrivals) : null;
  return {
    state: 'receiving',
    text: last !== null ? `Receiving · last records ${formatHm(last)}` : 'Receiving',
  };
}
