// The client's edge check on server pushes: a malformed message is dropped (and counted) before it
// reaches state, so the charts can trust the shapes the contract declares.
import type { TopicPulse, WindowAggregate } from '../../shared/events.ts';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isTotals = (v: unknown) => isObj(v) && isNum(v.bytes) && isNum(v.packets) && isNum(v.records);

export function isWindowAggregate(v: unknown): v is WindowAggregate {
  return (
    isObj(v) &&
    typeof v.topicId === 'string' &&
    isNum(v.windowStart) &&
    isNum(v.revision) &&
    isNum(v.publishedAt) &&
    isTotals(v.accept) &&
    isTotals(v.reject) &&
    Array.isArray(v.byProtocol) &&
    Array.isArray(v.top) &&
    Array.isArray(v.regionPairs) &&
    Array.isArray(v.streams)
  );
}

export function isTopicPulse(v: unknown): v is TopicPulse {
  return (
    isObj(v) &&
    typeof v.topicId === 'string' &&
    Array.isArray(v.spark) &&
    isNum(v.rejectShare) &&
    (v.lastPublishedAt === null || isNum(v.lastPublishedAt))
  );
}

/** Messages dropped by the checks above, for the console and tests. */
export const dropped = { count: 0 };

export function drop(kind: string, v: unknown): void {
  dropped.count++;
  if (dropped.count <= 5) console.warn(`flowdeck: dropped a malformed ${kind} message`, v);
}
