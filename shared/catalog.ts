// The flow-log configuration model of Tencent Cloud's console, as both sides see it.
import type { CaptureWindowSec } from './capture-window.ts';

/** What a flow log collects: ENIs, a NAT gateway, or cross-region CCN traffic. */
export type CollectionRange = 'ENI' | 'NAT' | 'CCN';
/** Which records a flow log keeps: all of them, or only ACCEPTed or REJECTed traffic. */
export type CollectionType = 'ALL' | 'ACCEPT' | 'REJECT';

export interface FlowLogInfo {
  id: string;
  name: string;
  range: CollectionRange;
  /** The collected resource: `eni-...`, `nat-...` or `ccn-...`. */
  resourceId: string;
  resourceName: string;
  collectionType: CollectionType;
  /** Length of the flow log's capture windows, seconds. */
  captureWindowSec: CaptureWindowSec;
  logsetId: string;
  topicId: string;
  tags: Record<string, string>;
}

/** A log stream: one resource (ENI, NAT gateway ENI, or CCN region) writing into a topic. */
export interface StreamInfo {
  id: string;
  name: string;
  flowLogId: string;
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
  /** CCN topics: the regions the CCN instance connects. */
  regions: string[];
  /** Retention of this topic's data in days, when it differs from the server's defaults. */
  retention?: { rawDays?: number; windowDays?: number };
}

export interface LogsetInfo {
  id: string;
  name: string;
  region: string;
  topics: TopicInfo[];
}
