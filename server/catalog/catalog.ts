// The flow-log catalog (logsets, topics, flow logs, log streams) as the rest of the server reads
// it. createCatalog() checks a set of logsets once and indexes a frozen copy; createLiveCatalog()
// holds the current one, replaced as a whole on every change (the catalog is small), and tells its
// listeners. Components keep the live catalog and read through it on every call, so a change
// takes effect at once: ingest, the collection-type filter, the aggregator, the simulator.
import { CAPTURE_WINDOWS, fitsTopicWindow, isCaptureWindow } from '../../shared/capture-window.ts';
import {
  COLLECTION_RANGES,
  COLLECTION_TYPES,
  RESOURCE_PREFIX,
  type CollectionType,
  type FlowLogInfo,
  type LogsetInfo,
  type StreamInfo,
  type TopicInfo,
} from '../../shared/catalog.ts';
import { URL_SAFE_ID } from '../../shared/catalog-schema.ts';
import type { FlowRecord } from '../../shared/record.ts';

/** Every problem of a catalog, found at once. */
export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid flow-log catalog (${problems.length} problems):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'CatalogError';
  }
}

/** Why a parsed record is not kept: its flow log's collection type, or its flow log is disabled. */
export type FilterReason = 'collection-type' | 'disabled';

export interface Catalog {
  /** The checked configuration, deeply frozen. */
  readonly logsets: LogsetInfo[];
  /** Increases with every change. */
  readonly version: number;
  topic(id: string): TopicInfo | undefined;
  /** Every topic, in logset then topic order. */
  topics(): TopicInfo[];
  logset(id: string): LogsetInfo | undefined;
  flowLog(id: string): FlowLogInfo | undefined;
  /** Every flow log, in topic order. */
  flowLogs(): FlowLogInfo[];
  stream(topicId: string, streamId: string): StreamInfo | undefined;
  /** The window a topic aggregates in, ms; the shortest window for an unknown topic. */
  windowMs(topicId: string): number;
  /**
   * The flow log that writes a stream: the one whose resource it is (a CCN stream
   * `ccnid/region` belongs to the flow log of `ccnid`, listed region or not); undefined for an
   * unknown topic, or a stream no flow log of the topic collects.
   */
  flowLogOf(topicId: string, streamId: string): FlowLogInfo | undefined;
  /**
   * Why the record is not kept, or null when it is. NODATA and SKIPDATA records (no action) are
   * kept: they report the stream's status. A disabled flow log keeps nothing. A record of a
   * stream no flow log collects gets the collection type the topic's flow logs agree on, or is
   * kept when they disagree. The caller checks that the topic exists.
   */
  filterReason(topicId: string, streamId: string, record: FlowRecord): FilterReason | null;
  /** filterReason() === null. */
  keeps(topicId: string, streamId: string, record: FlowRecord): boolean;
}

/** Lists every problem of a set of logsets; empty when it is valid. */
export function checkLogsets(logsets: readonly LogsetInfo[]): string[] {
  const problems: string[] = [];
  const seenLogsets = new Set<string>();
  const seenTopics = new Map<string, string>();
  const seenFlowLogs = new Map<string, string>();
  const str = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

  if (!Array.isArray(logsets)) return ['the catalog is not a list of logsets'];
  for (const [li, logset] of logsets.entries()) {
    const ls = `logset ${str(logset.id) ? JSON.stringify(logset.id) : `#${li + 1}`}`;
    if (!str(logset.id) || !URL_SAFE_ID.test(logset.id)) {
      problems.push(`${ls}: id must be a URL-safe string`);
    } else if (seenLogsets.has(logset.id)) problems.push(`${ls}: duplicate logset id`);
    else seenLogsets.add(logset.id);
    if (!str(logset.name)) problems.push(`${ls}: name is empty`);
    if (!str(logset.region)) problems.push(`${ls}: region is empty`);
    if (!Array.isArray(logset.topics)) {
      problems.push(`${ls}: topics must be a list`);
      continue;
    }
    for (const [ti, topic] of logset.topics.entries()) {
      const tp = `topic ${str(topic.id) ? JSON.stringify(topic.id) : `#${ti + 1} of ${ls}`}`;
      if (!str(topic.id) || !URL_SAFE_ID.test(topic.id)) {
        problems.push(`${tp}: id must be a URL-safe string (letters, digits, . _ ~ -)`);
      } else if (seenTopics.has(topic.id)) {
        problems.push(`${tp}: duplicate topic id (also in ${seenTopics.get(topic.id)})`);
      } else seenTopics.set(topic.id, ls);
      if (!str(topic.name)) problems.push(`${tp}: name is empty`);
      if (topic.logsetId !== logset.id) {
        problems.push(
          `${tp}: logsetId ${JSON.stringify(topic.logsetId)} is not its logset ${JSON.stringify(logset.id)}`,
        );
      }
      if (!COLLECTION_RANGES.includes(topic.range)) {
        problems.push(
          `${tp}: range ${JSON.stringify(topic.range)} is not one of ${COLLECTION_RANGES.join(', ')}`,
        );
      }
      const wantFormat = topic.range === 'CCN' ? 'ccn' : 'eni';
      if (topic.format !== wantFormat) {
        problems.push(
          `${tp}: a ${topic.range} topic has format ${wantFormat}, not ${JSON.stringify(topic.format)}`,
        );
      }
      if (!isCaptureWindow(topic.windowSec)) {
        problems.push(
          `${tp}: windowSec ${JSON.stringify(topic.windowSec)} is not one of ${CAPTURE_WINDOWS.join(', ')}`,
        );
      }
      const flowLogs: FlowLogInfo[] = Array.isArray(topic.flowLogs) ? topic.flowLogs : [];
      const streamOwner = new Map<string, string>();
      for (const [fi, fl] of flowLogs.entries()) {
        const fp = `flow log ${str(fl.id) ? JSON.stringify(fl.id) : `#${fi + 1} of ${tp}`}`;
        if (!str(fl.id) || !URL_SAFE_ID.test(fl.id))
          problems.push(`${fp}: id must be a URL-safe string`);
        else if (seenFlowLogs.has(fl.id)) {
          problems.push(`${fp}: duplicate flow-log id (also in ${seenFlowLogs.get(fl.id)})`);
        } else seenFlowLogs.set(fl.id, tp);
        if (!str(fl.name)) problems.push(`${fp}: name is empty`);
        if (fl.topicId !== topic.id) {
          problems.push(
            `${fp}: topicId ${JSON.stringify(fl.topicId)} is not its topic ${JSON.stringify(topic.id)}`,
          );
        }
        if (fl.logsetId !== logset.id) {
          problems.push(
            `${fp}: logsetId ${JSON.stringify(fl.logsetId)} is not its logset ${JSON.stringify(logset.id)}`,
          );
        }
        if (fl.range !== topic.range) {
          problems.push(
            `${fp}: range ${JSON.stringify(fl.range)} differs from its topic's ${topic.range}`,
          );
        }
        if (!COLLECTION_TYPES.includes(fl.collectionType)) {
          problems.push(
            `${fp}: collectionType ${JSON.stringify(fl.collectionType)} is not one of ${COLLECTION_TYPES.join(', ')}`,
          );
        }
        if (!isCaptureWindow(fl.captureWindowSec)) {
          problems.push(
            `${fp}: captureWindowSec ${JSON.stringify(fl.captureWindowSec)} is not one of ${CAPTURE_WINDOWS.join(', ')}`,
          );
        } else if (
          isCaptureWindow(topic.windowSec) &&
          !fitsTopicWindow(fl.captureWindowSec, topic.windowSec)
        ) {
          problems.push(
            `${fp}: its ${fl.captureWindowSec} s capture window does not fit its topic's ${topic.windowSec} s windows`,
          );
        }
        const prefix: string | undefined = RESOURCE_PREFIX[fl.range];
        if (!str(fl.resourceId) || (prefix !== undefined && !fl.resourceId.startsWith(prefix))) {
          problems.push(
            `${fp}: resourceId ${JSON.stringify(fl.resourceId)} must start with ${prefix ?? '?'}`,
          );
        }
        if (!Array.isArray(fl.regions)) problems.push(`${fp}: regions must be a list`);
        else if (fl.range !== 'CCN' && fl.regions.length > 0)
          problems.push(`${fp}: only a CCN flow log lists regions`);
        if (typeof fl.enabled !== 'boolean') problems.push(`${fp}: enabled must be a boolean`);
        if (typeof fl.tags !== 'object' || fl.tags === null)
          problems.push(`${fp}: tags must be an object`);
        else {
          for (const [k, v] of Object.entries(fl.tags)) {
            if (typeof v !== 'string')
              problems.push(`${fp}: tag ${JSON.stringify(k)} is not a string`);
          }
        }
        // One flow log per resource in a topic: a stream's records go by its flow log's rules.
        const key = fl.resourceId;
        const other = streamOwner.get(key);
        if (other !== undefined) {
          problems.push(`${fp}: ${key} is already collected by flow log ${other} in ${tp}`);
        } else streamOwner.set(key, fl.id);
      }
    }
  }
  return problems;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function actionFilter(type: CollectionType | undefined, record: FlowRecord): FilterReason | null {
  if (record.action === null) return null;
  if (type === undefined || type === 'ALL') return null;
  return record.action === type ? null : 'collection-type';
}

/** The resource a stream id belongs to: the stream itself, or for CCN its `ccnid` part. */
const resourceOfStream = (streamId: string): string => {
  const slash = streamId.indexOf('/');
  return slash < 0 ? streamId : streamId.slice(0, slash);
};

/** Checks the logsets (throwing a CatalogError that lists every problem) and indexes a frozen copy. */
export function createCatalog(logsets: readonly LogsetInfo[], version = 1): Catalog {
  const problems = checkLogsets(logsets);
  if (problems.length > 0) throw new CatalogError(problems);
  const frozen = deepFreeze(structuredClone(logsets) as LogsetInfo[]);

  const logsetById = new Map(frozen.map((l) => [l.id, l]));
  const topics = new Map<string, TopicInfo>();
  const flowLogById = new Map<string, FlowLogInfo>();
  /** Per topic: flow log by resource id, and stream by id. */
  const byResource = new Map<string, Map<string, FlowLogInfo>>();
  const streams = new Map<string, Map<string, StreamInfo>>();
  /** The collection type all enabled flow logs of a topic share, or undefined when they differ. */
  const topicType = new Map<string, CollectionType | undefined>();
  for (const logset of frozen) {
    for (const topic of logset.topics) {
      topics.set(topic.id, topic);
      const resources = new Map<string, FlowLogInfo>();
      for (const fl of topic.flowLogs) {
        flowLogById.set(fl.id, fl);
        resources.set(fl.resourceId, fl);
      }
      byResource.set(topic.id, resources);
      streams.set(topic.id, new Map(topic.streams.map((s) => [s.id, s])));
      const types = new Set(topic.flowLogs.map((fl) => fl.collectionType));
      topicType.set(topic.id, types.size === 1 ? [...types][0] : undefined);
    }
  }
  const allTopics = [...topics.values()];
  const allFlowLogs = allTopics.flatMap((t) => t.flowLogs);
  const flowLogOf = (topicId: string, streamId: string) =>
    byResource.get(topicId)?.get(resourceOfStream(streamId));

  const filterReason = (topicId: string, streamId: string, record: FlowRecord) => {
    const fl = flowLogOf(topicId, streamId);
    if (fl && !fl.enabled) return 'disabled' as const;
    return actionFilter(fl ? fl.collectionType : topicType.get(topicId), record);
  };

  return {
    logsets: frozen,
    version,
    topic: (id) => topics.get(id),
    topics: () => allTopics.slice(),
    logset: (id) => logsetById.get(id),
    flowLog: (id) => flowLogById.get(id),
    flowLogs: () => allFlowLogs.slice(),
    stream: (topicId, streamId) => streams.get(topicId)?.get(streamId),
    windowMs: (topicId) => (topics.get(topicId)?.windowSec ?? CAPTURE_WINDOWS[0]) * 1000,
    flowLogOf,
    filterReason,
    keeps: (topicId, streamId, record) => filterReason(topicId, streamId, record) === null,
  };
}

export interface CatalogChangeEvent {
  before: Catalog;
  after: Catalog;
}

/** The current catalog, replaced as a whole; it reads like a Catalog and tells listeners of changes. */
export interface LiveCatalog extends Catalog {
  /** Checks `logsets` (CatalogError) and makes them current; listeners run synchronously after. */
  replace(logsets: readonly LogsetInfo[]): void;
  onChange(listener: (e: CatalogChangeEvent) => void): () => void;
  /** The current snapshot. */
  current(): Catalog;
}

export function createLiveCatalog(
  initial: readonly LogsetInfo[],
  onListenerError: (err: unknown) => void = (err) => console.error(err),
): LiveCatalog {
  let cat = createCatalog(initial, 1);
  const listeners = new Set<(e: CatalogChangeEvent) => void>();
  return {
    get logsets() {
      return cat.logsets;
    },
    get version() {
      return cat.version;
    },
    topic: (id) => cat.topic(id),
    topics: () => cat.topics(),
    logset: (id) => cat.logset(id),
    flowLog: (id) => cat.flowLog(id),
    flowLogs: () => cat.flowLogs(),
    stream: (t, s) => cat.stream(t, s),
    windowMs: (t) => cat.windowMs(t),
    flowLogOf: (t, s) => cat.flowLogOf(t, s),
    filterReason: (t, s, r) => cat.filterReason(t, s, r),
    keeps: (t, s, r) => cat.keeps(t, s, r),
    current: () => cat,
    replace(logsets) {
      const before = cat;
      cat = createCatalog(logsets, before.version + 1);
      for (const l of listeners) {
        try {
          l({ before, after: cat });
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
