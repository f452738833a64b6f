// The default configuration, written into the store on the first start of an empty data
// directory: one logset in ap-guangzhou with four topics, modelled on what a Tencent Cloud console
// shows for a production VPC. Ids are stable: dashboards link to them. The simulator writes the
// traffic of these flow logs (simulated: true).
import { defaultCaptureWindow } from '../../shared/capture-window.ts';
import {
  logsetsOf,
  type CollectionRange,
  type CollectionType,
  type FlowLogInfo,
  type LogsetInfo,
  type TopicEntity,
} from '../../shared/catalog.ts';

export const DEFAULT_LOGSET_ID = 'flowlog_logset';
/** The owner of every default resource (Tencent APPID), written in the account-id field. */
export const DEFAULT_ACCOUNT_ID = '1300428518';
/** The production VPC whose ENIs and NAT gateway the default flow logs collect. */
export const DEFAULT_VPC_ID = 'vpc-m4k2x9p7';
export const DEFAULT_CCN_ID = 'ccn-0x7gk2me';
export const DEFAULT_NAT_ID = 'nat-4fq8l2tw';
/** Subnets of the default VPC, by tier. */
export const DEFAULT_SUBNETS: Readonly<Record<string, string>> = {
  web: 'subnet-w3b7k2qa',
  app: 'subnet-a9p4m6tz',
  db: 'subnet-d5x8n1rc',
  bastion: 'subnet-m2g6v8yk',
  vpn: 'subnet-m2g6v8yk',
};

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

type FlowLogSpec = Pick<
  FlowLogInfo,
  'id' | 'name' | 'resourceId' | 'resourceName' | 'collectionType' | 'tags'
> &
  Partial<Pick<FlowLogInfo, 'vpcId' | 'subnetId' | 'regions'>>;

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
    vpcId: DEFAULT_VPC_ID,
    subnetId: DEFAULT_SUBNETS[tier] ?? null,
    collectionType,
    tags: { env: 'prod', team: 'netops', tier, vpc: DEFAULT_VPC_ID, ...extraTags },
  };
}

/** A fresh copy of the default configuration, created at `createdAt` (epoch ms). */
export function defaultLogsets(createdAt = 0): LogsetInfo[] {
  const topics: TopicEntity[] = [];
  const flowLogs: FlowLogInfo[] = [];
  // Creation order is the overview's order: one millisecond apart.
  let at = createdAt;
  const topic = (
    id: string,
    name: string,
    range: CollectionRange,
    specs: FlowLogSpec[],
    retention?: TopicEntity['retention'],
  ) => {
    const windowSec = defaultCaptureWindow(range);
    topics.push({
      id,
      name,
      logsetId: DEFAULT_LOGSET_ID,
      range,
      windowSec,
      createdAt: ++at,
      ...(retention ? { retention } : {}),
    });
    for (const s of specs) {
      flowLogs.push({
        vpcId: null,
        subnetId: null,
        regions: [],
        ...s,
        range,
        captureWindowSec: windowSec,
        logsetId: DEFAULT_LOGSET_ID,
        topicId: id,
        enabled: true,
        simulated: true,
        createdAt: ++at,
      });
    }
  };

  topic(DEFAULT_TOPIC_IDS.eni, 'prod-vpc ENI flow logs', 'ENI', [
    eniFlowLog('fl-5tz8k2mq', 'eni-7m2k9q4d', 'web-01', 'web', 'ALL'),
    eniFlowLog('fl-8pq3w6ry', 'eni-3h8vz1pa', 'web-02', 'web', 'ALL'),
    eniFlowLog('fl-2kd9v4nx', 'eni-9c5tq0wb', 'app-01', 'app', 'ALL'),
    eniFlowLog('fl-6hm1c7tb', 'eni-k4x7n2rf', 'app-02', 'app', 'ALL'),
    eniFlowLog('fl-9rx4j2ls', 'eni-p1d6y8ue', 'db-01', 'db', 'ALL'),
  ]);

  topic(DEFAULT_TOPIC_IDS.nat, 'prod-vpc NAT gateway flow logs', 'NAT', [
    {
      id: 'fl-4qw8e1ua',
      name: 'prod-nat-01 egress',
      resourceId: DEFAULT_NAT_ID,
      resourceName: 'prod-nat-01',
      vpcId: DEFAULT_VPC_ID,
      collectionType: 'ALL',
      tags: { env: 'prod', team: 'netops', vpc: DEFAULT_VPC_ID },
    },
  ]);

  topic(DEFAULT_TOPIC_IDS.ccn, 'global-backbone CCN cross-region flow logs', 'CCN', [
    {
      id: 'fl-7cn5g3zv',
      name: 'global-backbone cross-region',
      resourceId: DEFAULT_CCN_ID,
      resourceName: 'global-backbone',
      regions: [...DEFAULT_CCN_REGIONS],
      collectionType: 'ALL',
      tags: { env: 'prod', team: 'netops', scope: 'global' },
    },
  ]);

  // Audit evidence is kept longer than the server's default of 7 days.
  topic(
    DEFAULT_TOPIC_IDS.audit,
    'Security audit: rejected traffic',
    'ENI',
    [
      eniFlowLog('fl-1bs6t9oy', 'eni-w2r5j7sc', 'bastion-01', 'bastion', 'REJECT', {
        team: 'secops',
      }),
      eniFlowLog('fl-3vj7d5kp', 'eni-b6n3f8hz', 'vpn-01', 'vpn', 'REJECT', { team: 'secops' }),
    ],
    { rawDays: 30 },
  );

  return logsetsOf({
    logsets: [{ id: DEFAULT_LOGSET_ID, name: 'flowlog_logset', region: 'ap-guangzhou', createdAt }],
    topics,
    flowLogs,
  });
}
