// The flow-log configuration (logsets, topics, flow logs, log streams), checked once at start and
// frozen. keeps() applies a flow log's collection type to the records of its streams.
import type {
  CollectionRange,
  CollectionType,
  FlowLogInfo,
  LogsetInfo,
  StreamInfo,
  TopicInfo,
} from '../../shared/catalog.ts';
import { CAPTURE_WINDOWS, fitsTopicWindow, isCaptureWindow } from '../../shared/capture-window.ts';
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

export interface Catalog {
  /** The checked configuration, deeply frozen. */
  readonly logsets: LogsetInfo[];
  topic(id: string): TopicInfo | undefined;
  /** Every topic, in logset then topic order. */
  topics(): TopicInfo[];
  stream(topicId: string, streamId: string): StreamInfo | undefined;
  /** The window a topic aggregates in, ms; the shortest window for an unknown topic. */
  windowMs(topicId: string): number;
  /** The flow log that writes a stream, or undefined for an unknown topic or stream. */
  flowLogOf(topicId: string, streamId: string): FlowLogInfo | undefined;
  /**
   * Whether the collection type of the stream's flow log keeps this record. NODATA and SKIPDATA
   * records (no action) are always kept: they report the stream's status. A record of an unknown
   * topic is not kept. A record of an unknown stream of a known topic gets the collection type the
   * topic's flow logs agree on, or is kept when they disagree.
   */
  keeps(topicId: string, streamId: string, record: FlowRecord): boolean;
}

/** Topic, logset and flow-log ids appear in URLs: letters, digits, `.`, `_`, `~` and `-`. */
const URL_SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
const COLLECTION_TYPES: readonly CollectionType[] = ['ALL', 'ACCEPT', 'REJECT'];
const RANGES: readonly CollectionRange[] = ['ENI', 'NAT', 'CCN'];
const RESOURCE_PREFIX: Record<CollectionRange, string> = { ENI: 'eni-', NAT: 'nat-', CCN: 'ccn-' };

/** Lists every problem of a catalog; empty when it is valid. */
export function checkLogsets(logsets: readonly LogsetInfo[]): string[] {
  const problems: string[] = [];
  const seenLogsets = new Set<string>();
  const seenTopics = new Map<string, string>();
  const seenFlowLogs = new Map<string, string>();
  const str = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

  if (!Array.isArray(logsets) || logsets.length === 0) return ['the catalog has no logset'];
  for (const [li, logset] of logsets.entries()) {
    const ls = `logset ${str(logset.id) ? JSON.stringify(logset.id) : `#${li + 1}`}`;
    if (!str(logset.id) || !URL_SAFE_ID.test(logset.id)) {
      problems.push(`${ls}: id must be a URL-safe string`);
    } else if (seenLogsets.has(logset.id)) problems.push(`${ls}: duplicate logset id`);
    else seenLogsets.add(logset.id);
    if (!str(logset.name)) problems.push(`${ls}: name is empty`);
    if (!str(logset.region)) problems.push(`${ls}: region is empty`);
    if (!Array.isArray(logset.topics) || logset.topics.length === 0) {
      problems.push(`${ls}: has no topic`);
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
      if (!RANGES.includes(topic.range)) {
        problems.push(
          `${tp}: range ${JSON.stringify(topic.range)} is not one of ${RANGES.join(', ')}`,
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
      const regions: string[] = Array.isArray(topic.regions) ? topic.regions : [];
      if (!Array.isArray(topic.regions)) problems.push(`${tp}: regions must be a list`);
      if (topic.range === 'CCN' && regions.length === 0)
        problems.push(`${tp}: a CCN topic lists its regions`);
      if (new Set(regions).size !== regions.length)
        problems.push(`${tp}: a region is listed twice`);

      const flowLogs: FlowLogInfo[] = Array.isArray(topic.flowLogs) ? topic.flowLogs : [];
      if (flowLogs.length === 0) problems.push(`${tp}: has no flow log`);
      const topicFlowLogs = new Map<string, FlowLogInfo>();
      for (const [fi, fl] of flowLogs.entries()) {
        const fp = `flow log ${str(fl.id) ? JSON.stringify(fl.id) : `#${fi + 1} of ${tp}`}`;
        if (!str(fl.id) || !URL_SAFE_ID.test(fl.id))
          problems.push(`${fp}: id must be a URL-safe string`);
        else if (seenFlowLogs.has(fl.id)) {
          problems.push(`${fp}: duplicate flow-log id (also in ${seenFlowLogs.get(fl.id)})`);
        } else {
          seenFlowLogs.set(fl.id, tp);
          topicFlowLogs.set(fl.id, fl);
        }
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
        if (typeof fl.tags !== 'object' || fl.tags === null)
          problems.push(`${fp}: tags must be an object`);
        else {
          for (const [k, v] of Object.entries(fl.tags)) {
            if (typeof v !== 'string')
              problems.push(`${fp}: tag ${JSON.stringify(k)} is not a string`);
          }
        }
      }

      const streams: StreamInfo[] = Array.isArray(topic.streams) ? topic.streams : [];
      const streamIds = new Set<string>();
      const flowLogsWithStream = new Set<string>();
      for (const [si, s] of streams.entries()) {
        const sp = `stream ${str(s.id) ? JSON.stringify(s.id) : `#${si + 1}`} of ${tp}`;
        if (!str(s.id)) {
          problems.push(`${sp}: id is empty`);
          continue;
        }
        if (streamIds.has(s.id)) problems.push(`${sp}: duplicate stream id in the topic`);
        streamIds.add(s.id);
        if (!str(s.name)) problems.push(`${sp}: name is empty`);
        const fl = topicFlowLogs.get(s.flowLogId);
        if (!fl) {
          problems.push(
            `${sp}: flow log ${JSON.stringify(s.flowLogId)} is not a flow log of the topic`,
          );
          continue;
        }
        flowLogsWithStream.add(fl.id);
        // The stream id must be what streamIdOf() reads from the records (shared/record.ts).
        if (topic.range === 'CCN') {
          const region = s.id.startsWith(`${fl.resourceId}/`)
            ? s.id.slice(fl.resourceId.length + 1)
            : null;
          if (region === null || !regions.includes(region)) {
            problems.push(
              `${sp}: a CCN stream id is "${fl.resourceId}/<region>" with a region of the topic`,
            );
          }
        } else if (s.id !== fl.resourceId) {
          problems.push(
            `${sp}: an ${topic.range} stream id is its flow log's resource ${JSON.stringify(fl.resourceId)}`,
          );
        }
      }
      for (const fl of topicFlowLogs.values()) {
        if (!flowLogsWithStream.has(fl.id))
          problems.push(`flow log ${JSON.stringify(fl.id)}: has no stream in ${tp}`);
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

function keepsAction(type: CollectionType | undefined, record: FlowRecord): boolean {
  if (record.action === null) return true;
  if (type === undefined || type === 'ALL') return true;
  return record.action === type;
}

/** Checks the logsets (throwing a CatalogError that lists every problem) and indexes a frozen copy. */
export function createCatalog(logsets: LogsetInfo[]): Catalog {
  const problems = checkLogsets(logsets);
  if (problems.length > 0) throw new CatalogError(problems);
  const frozen = deepFreeze(structuredClone(logsets));

  const topics = new Map<string, TopicInfo>();
  const streams = new Map<string, Map<string, { stream: StreamInfo; flowLog: FlowLogInfo }>>();
  /** The collection type all flow logs of a topic share, or undefined when they differ. */
  const topicType = new Map<string, CollectionType | undefined>();
  for (const logset of frozen) {
    for (const topic of logset.topics) {
      topics.set(topic.id, topic);
      const byId = new Map(topic.flowLogs.map((fl) => [fl.id, fl]));
      const index = new Map<string, { stream: StreamInfo; flowLog: FlowLogInfo }>();
      for (const stream of topic.streams) {
        index.set(stream.id, { stream, flowLog: byId.get(stream.flowLogId) as FlowLogInfo });
      }
      streams.set(topic.id, index);
      const types = new Set(topic.flowLogs.map((fl) => fl.collectionType));
      topicType.set(topic.id, types.size === 1 ? [...types][0] : undefined);
    }
  }
  const allTopics = [...topics.values()];

  return {
    logsets: frozen,
    topic: (id) => topics.get(id),
    topics: () => allTopics.slice(),
    stream: (topicId, streamId) => streams.get(topicId)?.get(streamId)?.stream,
    windowMs: (topicId) => (topics.get(topicId)?.windowSec ?? CAPTURE_WINDOWS[0]) * 1000,
    flowLogOf: (topicId, streamId) => streams.get(topicId)?.get(streamId)?.flowLog,
    keeps(topicId, streamId, record) {
      const index = streams.get(topicId);
      if (!index) return false;
      const known = index.get(streamId);
      return keepsAction(known ? known.flowLog.collectionType : topicType.get(topicId), record);
    },
  };
}
