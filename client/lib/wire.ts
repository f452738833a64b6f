// The client's edge check on server pushes: a malformed message is dropped (and counted) before it
// reaches state, so the charts can trust the shapes the contract declares.
import type { SeriesPoint, TopicWindows } from '../../shared/api.ts';
import type { CatalogUpdate, TopicPulse, WindowAggregate } from '../../shared/events.ts';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isTotals = (v: unknown) => isObj(v) && isNum(v.bytes) && isNum(v.packets) && isNum(v.records);

export function isWindowAggregate(v: unknown): v is WindowAggregate {
  return (
    isObj(v) &&
    typeof v.topicId === 'string' &&
    isNum(v.windowStart) &&
    isNum(v.windowMs) &&
    v.windowMs > 0 &&
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
    isNum(v.windowMs) &&
    v.windowMs > 0 &&
    Array.isArray(v.spark) &&
    isNum(v.rejectShare) &&
    (v.lastPublishedAt === null || isNum(v.lastPublishedAt))
  );
}

/** catalog:updated: logsets with topics (the catalog itself was checked by the server). */
export function isCatalogUpdate(v: unknown): v is CatalogUpdate {
  return (
    isObj(v) &&
    isNum(v.version) &&
    Array.isArray(v.logsets) &&
    v.logsets.every((l) => isObj(l) && typeof l.id === 'string' && Array.isArray(l.topics))
  );
}

const isSeriesPoint = (v: unknown): v is SeriesPoint =>
  isObj(v) &&
  isNum(v.t) &&
  isNum(v.acceptBytes) &&
  isNum(v.acceptPackets) &&
  isNum(v.rejectBytes) &&
  isNum(v.rejectPackets) &&
  isNum(v.windows);

/** GET /api/topics/:id/windows data (the HTTP edge check). */
export function isTopicWindows(v: unknown): v is TopicWindows {
  return (
    isObj(v) &&
    typeof v.topicId === 'string' &&
    isNum(v.from) &&
    isNum(v.to) &&
    isNum(v.step) &&
    v.step > 0 &&
    typeof v.q === 'string' &&
    Array.isArray(v.series) &&
    v.series.every(isSeriesPoint) &&
    isTotals(v.accept) &&
    isTotals(v.reject) &&
    Array.isArray(v.byProtocol) &&
    Array.isArray(v.top) &&
    Array.isArray(v.regionPairs)
  );
}

/** Messages dropped by the checks above, for the console and tests. */
export const dropped = { count: 0 };

export function drop(kind: string, v: unknown): void {
  dropped.count++;
  if (dropped.count <= 5) console.warn(`flowdeck: dropped a malformed ${kind} message`, v);
}
