// The flow-log configuration model of Tencent Cloud's console, as both sides see it: logsets hold
// log topics, flow logs write into a topic, and each collected resource is a log stream of it.
// The wire and read shape (LogsetInfo trees) is derived from three flat lists of entities
// (CatalogEntities), which is what the store keeps. No Node, no DOM.
import type { AlertDelivery, AlertEpisode, AlertSilence } from './alerts/episode.ts';
import type { Rule } from './alerts/rule.ts';
import type { CaptureWindowSec } from './capture-window.ts';
import type { Thresholds } from './thresholds.ts';

/** What a flow log collects: ENIs, a NAT gateway, or cross-region CCN traffic. */
export type CollectionRange = 'ENI' | 'NAT' | 'CCN';
/** Which records a flow log keeps: all of them, or only ACCEPTed or REJECTed traffic. */
export type CollectionType = 'ALL' | 'ACCEPT' | 'REJECT';

export const COLLECTION_RANGES: readonly CollectionRange[] = ['ENI', 'NAT', 'CCN'];
export const COLLECTION_TYPES: readonly CollectionType[] = ['ALL', 'ACCEPT', 'REJECT'];

/** How people call a collection range (the console's words). */
export const RANGE_LABELS: Readonly<Record<CollectionRange, string>> = {
  ENI: 'ENI',
  NAT: 'NAT gateway',
  CCN: 'CCN cross-region',
};

/** Resource id prefixes by range (the console's ids: `eni-`, `nat-`, `ccn-`). */
export const RESOURCE_PREFIX: Readonly<Record<CollectionRange, string>> = {
  ENI: 'eni-',
  NAT: 'nat-',
  CCN: 'ccn-',
};

export interface FlowLogInfo {
  id: string;
  name: string;
  range: CollectionRange;
  /** The collected resource: `eni-...`, `nat-...` or `ccn-...`. */
  resourceId: string;
  /** A name for people (the ENI's host, the NAT gateway's name); may be ''. */
  resourceName: string;
  /** ENI and NAT gateway: the VPC of the resource; null for CCN. */
  vpcId: string | null;
  /** ENI: the subnet of the ENI; null otherwise. */
  subnetId: string | null;
  /** CCN: the regions the CCN instance connects (one log stream each); [] otherwise. */
  regions: string[];
  collectionType: CollectionType;
  /** Length of the flow log's capture windows, seconds. */
  captureWindowSec: CaptureWindowSec;
  logsetId: string;
  topicId: string;
  tags: Record<string, string>;
  /** Collection is on: a disabled flow log's records are filtered at ingest. */
  enabled: boolean;
  /** The built-in simulator writes this flow log's traffic (the default catalog's flow logs). */
  simulated: boolean;
  /** Epoch ms. */
  createdAt: number;
}

/** A log stream: one resource (ENI, NAT gateway, or a CCN instance in one region) writing into a topic. */
export interface StreamInfo {
  id: string;
  name: string;
  flowLogId: string;
  /** The stream's flow log collects (enabled). */
  enabled: boolean;
}

export interface TopicInfo {
  id: string;
  name: string;
  logsetId: string;
  /** Record layout of the topic: CCN topics carry regions and get the flow map. */
  format: 'eni' | 'ccn';
  range: CollectionRange;
  /**
   * The window the topic aggregates in, seconds: a whole multiple of each of its flow logs'
   * capture windows (shared/capture-window.ts). Charts never step finer than it.
   */
  windowSec: CaptureWindowSec;
  flowLogs: FlowLogInfo[];
  streams: StreamInfo[];
  /** CCN topics: the regions its flow logs' CCN instances connect. */
  regions: string[];
  /** Retention of this topic's data in days, when it differs from the server's defaults. */
  retention?: { rawDays?: number; windowDays?: number };
  /** Alert thresholds of this topic, when they differ from the defaults (shared/thresholds.ts). */
  thresholds?: Partial<Thresholds>;
  createdAt: number;
}

export interface LogsetInfo {
  id: string;
  name: string;
  region: string;
  topics: TopicInfo[];
  createdAt: number;
}

// ---------------------------------------------------------------------------------------------
// Entities: what the store keeps, one record per logset, topic and flow log.

export type LogsetEntity = Omit<LogsetInfo, 'topics'>;
export type TopicEntity = Omit<TopicInfo, 'format' | 'flowLogs' | 'streams' | 'regions'>;
export type FlowLogEntity = FlowLogInfo;

/** An alert rule as the store keeps it (shared/alerts/rule.ts), with when it was made and changed. */
export type AlertRuleEntity = Rule & { createdAt: number; updatedAt: number };

export interface CatalogEntities {
  logsets: LogsetEntity[];
  topics: TopicEntity[];
  flowLogs: FlowLogEntity[];
  /** Absent in catalogs written before alert rules existed. */
  alertRules?: AlertRuleEntity[];
  /** Alerting's history and silences (shared/alerts/episode.ts); absent in older catalogs. */
  alertEpisodes?: AlertEpisode[];
  alertSilences?: AlertSilence[];
  /** The webhook delivery log (shared/alerts/episode.ts); absent in older catalogs. */
  alertDeliveries?: AlertDelivery[];
}

/** The log streams a flow log writes: its resource, or for CCN one per region. */
export function streamsOf(fl: FlowLogInfo): StreamInfo[] {
  if (fl.range === 'CCN') {
    return fl.regions.map((r) => ({
      id: `${fl.resourceId}/${r}`,
      name: r,
      flowLogId: fl.id,
      enabled: fl.enabled,
    }));
  }
  return [
    {
      id: fl.resourceId,
      name: fl.resourceName || fl.resourceId,
      flowLogId: fl.id,
      enabled: fl.enabled,
    },
  ];
}

/**
 * The LogsetInfo trees of a set of entities, in creation order (then id). Entities that point at
 * a missing parent are left out; the catalog checks (server/catalog) refuse such sets anyway.
 */
export function logsetsOf(e: CatalogEntities): LogsetInfo[] {
  const order = <T extends { createdAt: number; id: string }>(list: readonly T[]): T[] =>
    [...list].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const flowLogs = order(e.flowLogs);
  return order(e.logsets).map((ls) => ({
    ...ls,
    topics: order(e.topics.filter((t) => t.logsetId === ls.id)).map((t): TopicInfo => {
      const fls = flowLogs.filter((f) => f.topicId === t.id);
      const regions = [...new Set(fls.flatMap((f) => f.regions))];
      return {
        ...t,
        format: t.range === 'CCN' ? 'ccn' : 'eni',
        flowLogs: fls,
        streams: fls.flatMap(streamsOf),
        regions,
      };
    }),
  }));
}

/** A catalog with nothing in it, every kind of entity present (what a store fills when loading). */
export function emptyEntities(): Required<CatalogEntities> {
  return {
    logsets: [],
    topics: [],
    flowLogs: [],
    alertRules: [],
    alertEpisodes: [],
    alertSilences: [],
    alertDeliveries: [],
  };
}

/** The entities of LogsetInfo trees (the reverse of logsetsOf). */
export function entitiesOf(logsets: readonly LogsetInfo[]): CatalogEntities {
  const out: CatalogEntities = { logsets: [], topics: [], flowLogs: [] };
  for (const { topics, ...ls } of logsets) {
    out.logsets.push(ls);
    for (const { format: _f, flowLogs, streams: _s, regions: _r, ...t } of topics) {
      out.topics.push(t);
      out.flowLogs.push(...flowLogs);
    }
  }
  return out;
}
