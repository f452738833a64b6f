// The default configuration: one logset in ap-guangzhou with four topics, modelled on what a
// Tencent Cloud console shows for a production VPC. Ids are stable: dashboards link to them.
import type {
  CollectionRange,
  CollectionType,
  FlowLogInfo,
  LogsetInfo,
  StreamInfo,
  TopicInfo,
} from '../../shared/catalog.ts';
import { defaultCaptureWindow } from '../../shared/capture-window.ts';

export const DEFAULT_LOGSET_ID = 'flowlog_logset';
/** The owner of every default resource (Tencent APPID), written in the account-id field. */
export const DEFAULT_ACCOUNT_ID = '1300428518';
/** The production VPC whose ENIs and NAT gateway the default flow logs collect. */
export const DEFAULT_VPC_ID = 'vpc-m4k2x9p7';
export const DEFAULT_CCN_ID = 'ccn-0x7gk2me';
export const DEFAULT_NAT_ID = 'nat-4fq8l2tw';

export const DEFAULT_TOPIC_IDS = {
  eni: 'topic-eni-prod',
  nat: 'topic-nat-prod',
  ccn: 'topic-ccn-backbone',
  audit: 'topic-audit-reject',
} as const;

/** Regions the default CCN instance connects, largest first. */
export const DEFAULT_CCN_REGIONS: readonly string[] = [
  'ap-guangzhou',
  'ap-shanghai',
  'ap-beijing',
  'ap-singapore',
  'ap-tokyo',
  'na-siliconvalley',
  'eu-frankfurt',
];

interface FlowLogSpec {
  id: string;
  name: string;
  resourceId: string;
  resourceName: string;
  collectionType: CollectionType;
  tags: Record<string, string>;
  /** Streams of this flow log: [id, name]. */
  streams: Array<[string, string]>;
}

function topic(
  id: string,
  name: string,
  range: CollectionRange,
  specs: FlowLogSpec[],
  regions: string[] = [],
): TopicInfo {
  const windowSec = defaultCaptureWindow(range);
  const flowLogs: FlowLogInfo[] = specs.map((s) => ({
    id: s.id,
    name: s.name,
    range,
    resourceId: s.resourceId,
    resourceName: s.resourceName,
    collectionType: s.collectionType,
    captureWindowSec: windowSec,
    logsetId: DEFAULT_LOGSET_ID,
    topicId: id,
    tags: s.tags,
  }));
  const streams: StreamInfo[] = specs.flatMap((s) =>
    s.streams.map(([streamId, streamName]) => ({
      id: streamId,
      name: streamName,
      flowLogId: s.id,
    })),
  );
  return {
    id,
    name,
    logsetId: DEFAULT_LOGSET_ID,
    format: range === 'CCN' ? 'ccn' : 'eni',
    range,
    windowSec,
    flowLogs,
    streams,
    regions,
  };
}

/** One flow log per ENI (the console's "ENI" collection range): the ENI is the log stream. */
function eniFlowLog(
  id: string,
  eniId: string,
  host: string,
  tier: string,
  collectionType: CollectionType,
  extraTags: Record<string, string> = {},
): FlowLogSpec {
  return {
    id,
    name: `prod-vpc ${host}`,
    resourceId: eniId,
    resourceName: host,
    collectionType,
    tags: { env: 'prod', team: 'netops', tier, vpc: DEFAULT_VPC_ID, ...extraTags },
    streams: [[eniId, host]],
  };
}

/** A fresh copy of the default configuration. */
export function defaultLogsets(): LogsetInfo[] {
  const eniTopic = topic(DEFAULT_TOPIC_IDS.eni, 'prod-vpc ENI flow logs', 'ENI', [
    eniFlowLog('fl-5tz8k2mq', 'eni-7m2k9q4d', 'web-01', 'web', 'ALL'),
    eniFlowLog('fl-8pq3w6ry', 'eni-3h8vz1pa', 'web-02', 'web', 'ALL'),
    eniFlowLog('fl-2kd9v4nx', 'eni-9c5tq0wb', 'app-01', 'app', 'ALL'),
    eniFlowLog('fl-6hm1c7tb', 'eni-k4x7n2rf', 'app-02', 'app', 'ALL'),
    eniFlowLog('fl-9rx4j2ls', 'eni-p1d6y8ue', 'db-01', 'db', 'ALL'),
  ]);

  const natTopic = topic(DEFAULT_TOPIC_IDS.nat, 'prod-vpc NAT gateway flow logs', 'NAT', [
    {
      id: 'fl-4qw8e1ua',
      name: 'prod-nat-01 egress',
      resourceId: DEFAULT_NAT_ID,
      resourceName: 'prod-nat-01',
      collectionType: 'ALL',
      tags: { env: 'prod', team: 'netops', vpc: DEFAULT_VPC_ID },
      streams: [[DEFAULT_NAT_ID, 'prod-nat-01']],
    },
  ]);

  const ccnTopic = topic(
    DEFAULT_TOPIC_IDS.ccn,
    'global-backbone CCN cross-region flow logs',
    'CCN',
    [
      {
        id: 'fl-7cn5g3zv',
        name: 'global-backbone cross-region',
        resourceId: DEFAULT_CCN_ID,
        resourceName: 'global-backbone',
        collectionType: 'ALL',
        tags: { env: 'prod', team: 'netops', scope: 'global' },
        streams: DEFAULT_CCN_REGIONS.map((r): [string, string] => [`${DEFAULT_CCN_ID}/${r}`, r]),
      },
    ],
    [...DEFAULT_CCN_REGIONS],
  );

  const auditTopic = topic(DEFAULT_TOPIC_IDS.audit, 'Security audit: rejected traffic', 'ENI', [
    eniFlowLog('fl-1bs6t9oy', 'eni-w2r5j7sc', 'bastion-01', 'bastion', 'REJECT', {
      team: 'secops',
    }),
    eniFlowLog('fl-3vj7d5kp', 'eni-b6n3f8hz', 'vpn-01', 'vpn', 'REJECT', { team: 'secops' }),
  ]);
  // Audit evidence is kept longer than the server's default of 7 days.
  auditTopic.retention = { rawDays: 30 };

  return [
    {
      id: DEFAULT_LOGSET_ID,
      name: 'flowlog_logset',
      region: 'ap-guangzhou',
      topics: [eniTopic, natTopic, ccnTopic, auditTopic],
    },
  ];
}
