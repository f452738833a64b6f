import { describe, expect, it } from 'vitest';
import { entitiesOf, logsetsOf, type FlowLogInfo, type LogsetInfo } from '../../shared/catalog.ts';
import { createLineParser } from '../../shared/parse/index.ts';
import { streamIdOf, type FlowRecord } from '../../shared/record.ts';
import { CatalogError, checkLogsets, createCatalog } from '../../server/catalog/catalog.ts';
import {
  DEFAULT_CCN_ID,
  DEFAULT_NAT_ID,
  DEFAULT_TOPIC_IDS,
  defaultLogsets,
} from '../../server/catalog/default-catalog.ts';

/** Records through the real parser, as the ingest pipeline sees them. */
function record(line: string): FlowRecord {
  const r = createLineParser('auto').parse(line, 1);
  if (r.kind !== 'record') throw new Error(`fixture line did not parse: ${line}`);
  return r.record;
}

const eni = (iface: string, action: string, status = 'OK') =>
  action === '-'
    ? record(`2 1300428518 ${iface} - - - - - - - 1736928000 1736928060 - ${status}`)
    : record(
        `2 1300428518 ${iface} 10.0.1.11 10.0.2.21 40312 8080 6 12 4130 1736928000 1736928060 ${action} ${status}`,
      );

describe('default catalog', () => {
  const logsets = defaultLogsets();
  const catalog = createCatalog(logsets);

  it('is the logset flowlog_logset in ap-guangzhou with ENI, NAT, CCN and audit topics', () => {
    expect(catalog.logsets).toHaveLength(1);
    const [logset] = catalog.logsets;
    expect(logset).toMatchObject({
      id: 'flowlog_logset',
      name: 'flowlog_logset',
      region: 'ap-guangzhou',
    });
    expect(catalog.topics().map((t) => [t.id, t.range, t.format])).toEqual([
      [DEFAULT_TOPIC_IDS.eni, 'ENI', 'eni'],
      [DEFAULT_TOPIC_IDS.nat, 'NAT', 'eni'],
      [DEFAULT_TOPIC_IDS.ccn, 'CCN', 'ccn'],
      [DEFAULT_TOPIC_IDS.audit, 'ENI', 'eni'],
    ]);
    for (const t of catalog.topics()) {
      expect(t.id).toMatch(/^[a-z0-9-]+$/);
      expect(t.name.length).toBeGreaterThan(5);
      expect(t.logsetId).toBe('flowlog_logset');
    }
  });

  it('collects 4-6 ENIs of a web/app/db tier, each its own stream, collection type ALL', () => {
    const t = catalog.topic(DEFAULT_TOPIC_IDS.eni)!;
    expect(t.streams.length).toBeGreaterThanOrEqual(4);
    expect(t.streams.length).toBeLessThanOrEqual(6);
    expect(new Set(t.flowLogs.map((f) => f.tags.tier))).toEqual(new Set(['web', 'app', 'db']));
    for (const s of t.streams) {
      expect(s.id).toMatch(/^eni-[a-z0-9]{8}$/);
      const fl = catalog.flowLogOf(t.id, s.id)!;
      expect(fl).toMatchObject({
        range: 'ENI',
        resourceId: s.id,
        collectionType: 'ALL',
        topicId: t.id,
      });
      expect(fl.id).toMatch(/^fl-[a-z0-9]{8}$/);
      expect(fl.tags).toMatchObject({ env: 'prod', team: 'netops' });
    }
  });

  it('has one NAT gateway stream, collection type ALL', () => {
    const t = catalog.topic(DEFAULT_TOPIC_IDS.nat)!;
    expect(t.streams.map((s) => s.id)).toEqual([DEFAULT_NAT_ID]);
    expect(DEFAULT_NAT_ID).toMatch(/^nat-[a-z0-9]{8}$/);
    expect(catalog.flowLogOf(t.id, DEFAULT_NAT_ID)).toMatchObject({
      range: 'NAT',
      collectionType: 'ALL',
    });
  });

  it('has one CCN stream per region, named as streamIdOf() reads CCN records', () => {
    const t = catalog.topic(DEFAULT_TOPIC_IDS.ccn)!;
    expect(t.regions).toEqual(
      expect.arrayContaining([
        'ap-guangzhou',
        'ap-shanghai',
        'ap-beijing',
        'ap-singapore',
        'na-siliconvalley',
        'eu-frankfurt',
      ]),
    );
    expect(t.streams.map((s) => s.id)).toEqual(t.regions.map((r) => `${DEFAULT_CCN_ID}/${r}`));
    const r = record(
      `10.1.3.122 ap-guangzhou 3306 1736928000 10.0.8.156 1 7 ${DEFAULT_CCN_ID} 6 ap-shanghai 2923 ACCEPT ap-shanghai 57873 1736928060 OK`,
    );
    expect(catalog.stream(t.id, streamIdOf(r))?.name).toBe('ap-shanghai');
  });

  it('has a REJECT-only security audit topic', () => {
    const t = catalog.topic(DEFAULT_TOPIC_IDS.audit)!;
    expect(t.flowLogs.length).toBeGreaterThan(0);
    for (const fl of t.flowLogs) expect(fl.collectionType).toBe('REJECT');
  });

  it('has unique ids and is valid', () => {
    expect(checkLogsets(logsets)).toEqual([]);
    const flowLogIds = catalog.topics().flatMap((t) => t.flowLogs.map((f) => f.id));
    expect(new Set(flowLogIds).size).toBe(flowLogIds.length);
  });

  it('gives a fresh copy on each call and freezes the catalog without freezing its input', () => {
    expect(defaultLogsets()).not.toBe(defaultLogsets());
    expect(defaultLogsets()).toEqual(defaultLogsets());
    expect(Object.isFrozen(catalog.logsets[0]!.topics[0]!.streams)).toBe(true);
    expect(Object.isFrozen(logsets[0]!.topics)).toBe(false);
    expect(() => {
      (catalog.logsets[0]!.topics[0]!.flowLogs[0]!.tags as Record<string, string>).env = 'dev';
    }).toThrow(TypeError);
  });

  it('answers undefined for unknown topics and streams', () => {
    expect(catalog.topic('nope')).toBeUndefined();
    expect(catalog.flowLogOf(DEFAULT_TOPIC_IDS.eni, 'eni-00000000')).toBeUndefined();
    expect(catalog.flowLogOf('nope', DEFAULT_NAT_ID)).toBeUndefined();
  });
});

describe('keeps(): the collection type', () => {
  /** A topic with one flow log per collection type, and a disabled one. */
  function mixedLogsets(): LogsetInfo[] {
    let created = 0;
    const fl = (
      id: string,
      eniId: string,
      collectionType: 'ALL' | 'ACCEPT' | 'REJECT',
      enabled = true,
    ): FlowLogInfo => ({
      createdAt: ++created,
      id,
      name: id,
      range: 'ENI',
      resourceId: eniId,
      resourceName: eniId,
      vpcId: 'vpc-aaaaaaaa',
      subnetId: 'subnet-aaaaaaaa',
      regions: [],
      collectionType,
      captureWindowSec: 300,
      logsetId: 'ls',
      topicId: 'topic-mixed',
      tags: {},
      enabled,
      simulated: false,
    });
    return logsetsOf({
      logsets: [{ id: 'ls', name: 'ls', region: 'ap-guangzhou', createdAt: 0 }],
      topics: [
        {
          id: 'topic-mixed',
          name: 'mixed',
          logsetId: 'ls',
          range: 'ENI',
          windowSec: 300,
          createdAt: 0,
        },
      ],
      flowLogs: [
        fl('fl-all', 'eni-aaaaaaaa', 'ALL'),
        fl('fl-acc', 'eni-bbbbbbbb', 'ACCEPT'),
        fl('fl-rej', 'eni-cccccccc', 'REJECT'),
        fl('fl-off', 'eni-eeeeeeee', 'ALL', false),
      ],
    });
  }
  const catalog = createCatalog(mixedLogsets());
  const keeps = (streamId: string, action: string, status?: string) =>
    catalog.keeps('topic-mixed', streamId, eni(streamId, action, status));

  it('derives one stream per ENI flow log, enabled or not', () => {
    expect(catalog.topic('topic-mixed')!.streams).toEqual([
      { id: 'eni-aaaaaaaa', name: 'eni-aaaaaaaa', flowLogId: 'fl-all', enabled: true },
      { id: 'eni-bbbbbbbb', name: 'eni-bbbbbbbb', flowLogId: 'fl-acc', enabled: true },
      { id: 'eni-cccccccc', name: 'eni-cccccccc', flowLogId: 'fl-rej', enabled: true },
      { id: 'eni-eeeeeeee', name: 'eni-eeeeeeee', flowLogId: 'fl-off', enabled: false },
    ]);
  });

  it('ALL keeps everything', () => {
    expect([keeps('eni-aaaaaaaa', 'ACCEPT'), keeps('eni-aaaaaaaa', 'REJECT')]).toEqual([
      true,
      true,
    ]);
  });

  it('ACCEPT keeps only ACCEPT records, REJECT only REJECT records', () => {
    expect([keeps('eni-bbbbbbbb', 'ACCEPT'), keeps('eni-bbbbbbbb', 'REJECT')]).toEqual([
      true,
      false,
    ]);
    expect([keeps('eni-cccccccc', 'ACCEPT'), keeps('eni-cccccccc', 'REJECT')]).toEqual([
      false,
      true,
    ]);
    expect(catalog.filterReason('topic-mixed', 'eni-cccccccc', eni('eni-cccccccc', 'ACCEPT'))).toBe(
      'collection-type',
    );
  });

  it('keeps nothing of a disabled flow log, and says why', () => {
    expect(keeps('eni-eeeeeeee', 'ACCEPT')).toBe(false);
    expect(keeps('eni-eeeeeeee', '-', 'NODATA')).toBe(false);
    expect(catalog.filterReason('topic-mixed', 'eni-eeeeeeee', eni('eni-eeeeeeee', 'REJECT'))).toBe(
      'disabled',
    );
  });

  it('always keeps NODATA and SKIPDATA records of a collecting flow log', () => {
    for (const s of ['eni-aaaaaaaa', 'eni-bbbbbbbb', 'eni-cccccccc']) {
      expect(keeps(s, '-', 'NODATA')).toBe(true);
      expect(keeps(s, '-', 'SKIPDATA')).toBe(true);
    }
  });

  it('keeps records of an unknown stream of a known topic when its flow logs disagree', () => {
    expect(keeps('eni-dddddddd', 'ACCEPT')).toBe(true);
    expect(keeps('eni-dddddddd', 'REJECT')).toBe(true);
    expect(catalog.flowLogOf('topic-mixed', 'eni-dddddddd')).toBeUndefined();
  });

  it("applies a topic's common collection type to an unknown stream", () => {
    const audit = createCatalog(defaultLogsets());
    expect(
      audit.keeps(DEFAULT_TOPIC_IDS.audit, 'eni-dddddddd', eni('eni-dddddddd', 'ACCEPT')),
    ).toBe(false);
    expect(
      audit.keeps(DEFAULT_TOPIC_IDS.audit, 'eni-dddddddd', eni('eni-dddddddd', 'REJECT')),
    ).toBe(true);
  });

  it('finds the flow log of a CCN stream by its instance, listed region or not', () => {
    const c = createCatalog(defaultLogsets());
    expect(c.flowLogOf(DEFAULT_TOPIC_IDS.ccn, `${DEFAULT_CCN_ID}/ap-tokyo`)?.id).toBe(
      'fl-7cn5g3zv',
    );
    expect(c.flowLogOf(DEFAULT_TOPIC_IDS.ccn, `${DEFAULT_CCN_ID}/sa-saopaulo`)?.id).toBe(
      'fl-7cn5g3zv',
    );
    expect(c.flowLogOf(DEFAULT_TOPIC_IDS.ccn, 'ccn-other000/ap-tokyo')).toBeUndefined();
  });
});

describe('catalog validation', () => {
  it('lists every problem in one error', () => {
    const logsets = defaultLogsets();
    const [ls] = logsets;
    const [eniTopic, natTopic, ccnTopic, auditTopic] = ls!.topics;
    natTopic!.id = eniTopic!.id; // duplicate topic id
    natTopic!.flowLogs[0]!.topicId = natTopic!.id;
    auditTopic!.id = 'topic audit?'; // not URL-safe
    for (const fl of auditTopic!.flowLogs) fl.topicId = auditTopic!.id;
    eniTopic!.flowLogs[0]!.collectionType = 'SOME' as never;
    eniTopic!.flowLogs[1]!.topicId = 'topic-elsewhere';
    eniTopic!.flowLogs[2]!.resourceId = eniTopic!.flowLogs[3]!.resourceId; // collected twice
    eniTopic!.flowLogs[4]!.captureWindowSec = 600; // longer than the topic's 5-minute windows
    ccnTopic!.format = 'eni';

    let error: unknown;
    try {
      createCatalog(logsets);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CatalogError);
    const { problems, message } = error as CatalogError;
    const expected = [
      /topic "topic-eni-prod": duplicate topic id/,
      /topic "topic audit\?": id must be a URL-safe string/,
      /flow log "fl-5tz8k2mq": collectionType "SOME"/,
      /flow log "fl-8pq3w6ry": topicId "topic-elsewhere" is not its topic "topic-eni-prod"/,
      /flow log "fl-6hm1c7tb": eni-k4x7n2rf is already collected by flow log fl-2kd9v4nx/,
      /flow log "fl-9rx4j2ls": its 600 s capture window does not fit its topic's 300 s windows/,
      /topic "topic-ccn-backbone": a CCN topic has format ccn, not "eni"/,
    ];
    for (const re of expected)
      expect(
        problems.some((p) => re.test(p)),
        `${re}\n${message}`,
      ).toBe(true);
    expect(problems).toHaveLength(expected.length);
    for (const p of problems) expect(message).toContain(p);
  });

  it('takes an empty catalog, an empty logset and a topic without flow logs', () => {
    expect(createCatalog([]).topics()).toEqual([]);
    const logsets = defaultLogsets();
    logsets[0]!.topics[1]!.flowLogs = [];
    logsets[0]!.topics[1]!.streams = [];
    expect(checkLogsets(logsets)).toEqual([]);
    logsets.push({ id: 'ls-empty', name: 'empty', region: 'ap-tokyo', topics: [], createdAt: 1 });
    expect(checkLogsets(logsets)).toEqual([]);
  });

  it('checks that resources have the prefix of their range, and that only CCN lists regions', () => {
    const logsets = defaultLogsets();
    const nat = logsets[0]!.topics[1]!;
    nat.flowLogs[0]!.resourceId = 'eni-12345678';
    nat.flowLogs[0]!.regions = ['ap-tokyo'];
    expect(checkLogsets(logsets)).toEqual([
      'flow log "fl-4qw8e1ua": resourceId "eni-12345678" must start with nat-',
      'flow log "fl-4qw8e1ua": only a CCN flow log lists regions',
    ]);
  });

  it('round-trips between the LogsetInfo trees and the stored entities', () => {
    const logsets = defaultLogsets(1_700_000_000_000);
    expect(logsetsOf(entitiesOf(logsets))).toEqual(logsets);
  });
});
