// The one ingest path with a real store: every line is accounted for (accepted + filtered +
// rejected = lines), a rejected line is kept in quarantine with its number, reason and raw text,
// a record is counted on a dashboard if and only if it is stored, and a full store makes the
// source wait instead of dropping anything.
import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedLinesPage } from '../../shared/api.ts';
import { startApp } from '../helpers/app.ts';

const apps: Array<Awaited<ReturnType<typeof startApp>>> = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(deps: Parameters<typeof startApp>[1] = {}) {
  const a = await startApp(['--no-simulator'], deps);
  apps.push(a);
  return a;
}

const NOW_S = () => Math.floor(Date.now() / 1000);

describe('ingest: every line accounted for', () => {
  it('sorts lines into accepted, filtered and rejected, and quarantines the rejected ones', async () => {
    const { app: a } = await app();
    const t = NOW_S() - 600;
    const eni = (iface: string, action: string, start = t) =>
      `2 1300428518 ${iface} 10.0.1.11 10.0.2.21 40312 8080 6 12 4130 ${start} ${start + 60} ${action} OK`;
    const long = 'x'.repeat(1_000_000);
    const lines = [
      eni('eni-w2r5j7sc', 'REJECT'), // 1 accepted (audit topic: REJECT only)
      eni('eni-w2r5j7sc', 'ACCEPT'), // 2 filtered: collection type
      '', // 3 filtered: blank
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status', // 4 header
      eni('eni-b6n3f8hz', 'REJECT'), // 5 accepted
      '2 1300428518 eni-b6n3f8hz 10.0.1.11 999.0.2.21 1 2 6 1 1 1 2 REJECT OK', // 6 bad-ip
      long, // 7 too-long
      eni('eni-b6n3f8hz', 'REJECT', NOW_S() + 3600), // 8 future
      eni('eni-b6n3f8hz', 'REJECT', NOW_S() - 60 * 86_400), // 9 too-old (30 days kept)
      'garbage\u0000with NUL', // 10 field-count (the header set the 14-field format)
      eni('eni-unknown0', 'REJECT'), // 11 accepted: a stream no flow log collects
    ];
    const out = await a.ingest.ingest({
      topicId: 'topic-audit-reject',
      source: 'test',
      origin: 'accounting.log',
      lines,
    });
    expect(out).toMatchObject({
      lines: 11,
      accepted: 3,
      filtered: 3,
      rejected: 5,
      filteredBy: { 'collection-type': 1, blank: 1, header: 1 },
      rejectedBy: { 'bad-ip': 1, 'too-long': 1, future: 1, 'too-old': 1, 'field-count': 1 },
    });
    expect(out!.accepted + out!.filtered + out!.rejected).toBe(out!.lines);
    expect(out!.errors.map((e) => e.line)).toEqual([6, 7, 8, 9, 10]);

    const page = await a.store.rejectedLines({ topicId: 'topic-audit-reject', limit: 10 });
    expect(page.total).toBe(5);
    const byLine = new Map(page.lines.map((l) => [l.line, l]));
    expect(byLine.get(7)).toMatchObject({
      reason: 'too-long',
      origin: 'accounting.log',
      source: 'test',
      rawLength: 1_000_000,
    });
    expect(byLine.get(7)!.raw).toHaveLength(4096);
    expect(byLine.get(10)!.raw).toBe('garbage\u0000with NUL');
    expect(byLine.get(6)!.message).toMatch(/999\.0\.2\.21/);

    // Counted if and only if stored: the window the dashboard shows holds exactly the 3 records.
    await a.store.flush();
    a.aggregator.flush();
    const windowStart = Math.floor((t * 1000) / 300_000) * 300_000;
    const [w] = a.aggregator.windows('topic-audit-reject', windowStart, windowStart + 1);
    expect(w!.reject.records).toBe(3);
    const stored = await a.store.queryRecords({
      topicId: 'topic-audit-reject',
      fromMs: windowStart,
      toMs: windowStart + 300_000,
      limit: 10,
    });
    expect(stored.total).toBe(3);
    expect(a.ingest.counters().test).toMatchObject({ lines: 11, accepted: 3 });
  });

  it('makes the source wait when the store is full, and drops nothing', async () => {
    const { app: a } = await app({ store: { maxQueuedRecords: 50, batchMaxRecords: 50 } });
    const t = NOW_S() - 600;
    const lines = Array.from(
      { length: 40 },
      (_, i) =>
        `2 1300428518 eni-7m2k9q4d 10.0.1.11 10.0.2.21 ${40000 + i} 443 6 1 100 ${t} ${t + 60} ACCEPT OK`,
    );
    const batch = { topicId: 'topic-eni-prod', source: 'test', origin: 'full', lines };
    const first = a.ingest.ingest(batch);
    expect(first).not.toBeNull();
    // 40 queued of 50: a second batch of 40 does not fit, and nothing of it is parsed or counted.
    expect(a.ingest.ingest({ ...batch, origin: 'full-2' })).toBeNull();
    expect(a.ingest.originState('full-2').lineNo).toBe(0);
    await first;
    const again = await a.ingest.ingest({ ...batch, origin: 'full-2' });
    expect(again!.accepted).toBe(40);
    await a.store.flush();
    expect(a.store.metrics().recordsAppended).toBe(80);
  });

  it('stores nothing of a batch whose transaction fails, and counts nothing of it', async () => {
    const { app: a } = await app();
    const t = NOW_S() - 600;
    const line = `2 1300428518 eni-7m2k9q4d 10.0.1.11 10.0.2.21 40000 443 6 1 100 ${t} ${t + 60} ACCEPT OK`;
    // A quarantine row the table refuses (NOT NULL) fails the whole transaction, twice.
    const ack = a.store.write({
      streams: [
        {
          topicId: 'topic-eni-prod',
          streamId: 'eni-7m2k9q4d',
          windowMs: 300_000,
          records: [],
        },
      ],
      quarantine: [
        {
          topicId: null as unknown as string,
          source: 'test',
          origin: 'x',
          line: 1,
          reason: 'bad',
          message: 'bad',
          raw: 'x',
          rawLength: 1,
          at: Date.now(),
        },
      ],
    });
    await expect(ack).rejects.toThrow(/write failed/);
    // A real batch after it goes through.
    const ok = await a.ingest.ingest({
      topicId: 'topic-eni-prod',
      source: 'test',
      origin: 'after',
      lines: [line],
    });
    expect(ok!.accepted).toBe(1);
    const page: RejectedLinesPage = await a.store.rejectedLines({ limit: 5 });
    expect(page.total).toBe(0);
  });
});
