// The management pages' logic: the create form's body and field problems (the shared schema), a
// flow log's status from its topic's ingest health, and the ingest chart's option.
import { describe, expect, it } from 'vitest';
import { buildIngestOption, INGEST_IDS } from '../../client/charts/ingest-option.ts';
import { flowLogStatus } from '../../client/lib/flowlog-status.ts';
import { linePieces } from '../../client/lib/rejected-lines.svelte.ts';
import {
  bodyOf,
  emptyFields,
  serverProblems,
  SYSTEM,
  topicChoices,
  validate,
} from '../../client/manage/flowlog-form.svelte.ts';
import type { StreamIngest, TopicIngestHealth } from '../../shared/api.ts';
import type { FlowLogInfo } from '../../shared/catalog.ts';
import { defaultLogsets } from '../../server/catalog/default-catalog.ts';

const T = Date.UTC(2026, 11, 2, 14, 0);

describe('the create form', () => {
  it('sends what the range asks for, and leaves the system logset and topic out', () => {
    const f = {
      ...emptyFields('NAT'),
      name: ' edge nat ',
      resourceId: 'nat-abcd1234',
      vpcId: 'vpc-abcd1234',
      subnetId: 'subnet-ignored',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'owner', value: '' },
        { key: '', value: '' },
      ],
    };
    expect(bodyOf(f)).toEqual({
      name: ' edge nat ',
      range: 'NAT',
      resourceId: 'nat-abcd1234',
      resourceName: '',
      vpcId: 'vpc-abcd1234',
      collectionType: 'ALL',
      captureWindowSec: 60,
      tags: { env: 'prod', owner: '' },
      simulated: false,
    });
    expect(validate(f)).toEqual({});
  });

  it('puts every problem on its field, tag rows included', () => {
    const f = {
      ...emptyFields('ENI'),
      resourceId: 'eni-x',
      tags: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
        { key: '', value: 'orphan' },
      ],
    };
    expect(validate(f)).toEqual({
      name: 'the name is required',
      vpcId: 'the VPC is required',
      subnetId: 'the subnet is required',
      'tags.1': 'this key is already given',
      'tags.2': 'a tag key is required',
    });
    const ccn = { ...emptyFields('CCN'), name: 'x', resourceId: 'ccn-abcd1234' };
    expect(validate(ccn)).toEqual({
      regions: 'a CCN flow log lists the regions its instance connects',
    });
  });

  it('shows the server refusal on its fields, or on the form', () => {
    const f = emptyFields('ENI');
    expect(
      serverProblems(
        {
          code: 'window_mismatch',
          message: 'no',
          fields: [{ path: 'captureWindowSec', message: 'at most 300 s for this topic' }],
        },
        f,
      ),
    ).toEqual({ captureWindowSec: 'at most 300 s for this topic' });
    expect(serverProblems({ code: 'unavailable', message: 'try again' }, f)).toEqual({
      '': 'try again',
    });
  });

  it('offers the topics of the range, in the chosen logset', () => {
    const logsets = defaultLogsets();
    expect(topicChoices(logsets, SYSTEM, 'ENI').map((c) => c.topic.id)).toEqual([
      'topic-eni-prod',
      'topic-audit-reject',
    ]);
    expect(topicChoices(logsets, 'nope', 'ENI')).toEqual([]);
  });
});

describe('a flow log status', () => {
  const fl = (over: Partial<FlowLogInfo> = {}): FlowLogInfo => ({
    ...defaultLogsets()[0]!.topics[1]!.flowLogs[0]!,
    createdAt: T,
    ...over,
  });
  const stream = (over: Partial<StreamIngest>): StreamIngest => ({
    streamId: 'nat-4fq8l2tw',
    flowLogId: 'fl-4qw8e1ua',
    flowLogName: 'x',
    enabled: true,
    lastArrival: null,
    lastWindowStart: null,
    publishLagMs: null,
    nodata: 0,
    skipdata: 0,
    silent: false,
    expectedBy: null,
    ...over,
  });
  const health = (streams: StreamIngest[]): TopicIngestHealth => ({
    topicId: 'topic-nat-prod',
    serverTime: T,
    minutes: [],
    countedSince: T - 3_600_000,
    totals: { accepted: 0, filtered: 0, rejected: 0 },
    streams,
    lastErrors: [],
  });

  it('says when the first records of a new flow log are expected, then that they are late', () => {
    const h = health([stream({ expectedBy: T + 6 * 60_000 })]);
    expect(flowLogStatus(fl(), h, T + 60_000)).toMatchObject({
      state: 'waiting',
      text: expect.stringMatching(/First records expected by \d\d:\d\d \(in about 5 min\)/),
    });
    expect(flowLogStatus(fl(), h, T + 10 * 60_000).state).toBe('late');
  });

  it('is off, receiving or silent', () => {
    expect(flowLogStatus(fl({ enabled: false }), null, T).state).toBe('off');
    expect(flowLogStatus(fl(), health([stream({ lastArrival: T })]), T).state).toBe('receiving');
    expect(
      flowLogStatus(fl(), health([stream({ lastArrival: T - 3_600_000, silent: true })]), T).state,
    ).toBe('silent');
  });
});

describe('ingest chart and rejected lines', () => {
  it('stacks accepted, filtered and rejected lines per minute', () => {
    const o = buildIngestOption(
      [
        { t: T, accepted: 10, filtered: 2, rejected: 1 },
        { t: T + 60_000, accepted: 5, filtered: 0, rejected: 0 },
      ],
      { theme: 'dark' },
    ) as { series: Array<{ id: string; stack: string; data: number[][] }> };
    expect(o.series.map((s) => s.id)).toEqual(Object.values(INGEST_IDS));
    expect(o.series.every((s) => s.stack === 'lines')).toBe(true);
    expect(o.series[2]!.data).toEqual([
      [T, 1],
      [T + 60_000, 0],
    ]);
  });

  it('shows control characters of a rejected line as escapes, never as markup', () => {
    expect(linePieces('a\u0000b\tc\u007f<b>\r')).toEqual([
      { text: 'a', control: false },
      { text: '\\x00', control: true },
      { text: 'b', control: false },
      { text: '\\t', control: true },
      { text: 'c', control: false },
      { text: '\\x7f', control: true },
      { text: '<b>', control: false },
      { text: '\\r', control: true },
    ]);
  });
});
