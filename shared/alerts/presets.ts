// Ready-made rules a user switches on from a topic's settings: each is a rule input for that topic
// (a webhook can be added before saving). Defaults chosen to stay quiet on healthy traffic.
import type { RuleInput } from './rule.ts';

export interface RulePreset {
  key: string;
  title: string;
  description: string;
  rule: RuleInput;
}

export function rulePresets(topicId: string): RulePreset[] {
  return [
    {
      key: 'reject-spike',
      title: 'REJECT share spike',
      description:
        'The REJECT share of bytes more than doubles against the same window an hour before, two windows running.',
      rule: {
        topicId,
        name: 'REJECT share spike',
        measure: 'reject_share_bytes',
        op: '>',
        threshold: 100,
        windows: 2,
        change: { against: 'hour', direction: 'spike' },
      },
    },
    {
      key: 'port-scan',
      title: 'SSH/RDP and port scan',
      description:
        'One source has 20 or more destination ports REJECTed in a window (a scan); SSH and RDP probes count.',
      rule: {
        topicId,
        name: 'Port scan (one source, many REJECTed ports)',
        query: 'action:REJECT',
        measure: 'distinct_dstports_per_src',
        op: '>=',
        threshold: 20,
        windows: 1,
      },
    },
    {
      key: 'traffic-drop',
      title: 'Traffic drop',
      description:
        'Bytes fall by more than 80% against the same window an hour before, three windows running.',
      rule: {
        topicId,
        name: 'Traffic drop',
        measure: 'bytes',
        op: '>',
        threshold: 80,
        windows: 3,
        change: { against: 'hour', direction: 'drop' },
      },
    },
    {
      key: 'silent-stream',
      title: 'Silent log stream',
      description: 'A log stream sends nothing, not even NODATA, for three capture windows.',
      rule: {
        topicId,
        name: 'Silent log stream',
        measure: 'stream_silent',
        op: '>=',
        threshold: 1,
        windows: 3,
      },
    },
    {
      key: 'skipdata',
      title: 'SKIPDATA',
      description: 'A log stream reports SKIPDATA: the service skipped records in that window.',
      rule: {
        topicId,
        name: 'SKIPDATA (records skipped)',
        measure: 'stream_skipdata',
        op: '>',
        threshold: 0,
        windows: 1,
      },
    },
  ];
}
