// Change-aware top quintuples: rank moves and entrants against the previous window, REJECT spikes
// against the previous hour (quiet for scanners), and conversations folded from both directions,
// flagged when the request was ACCEPTed and the reply REJECTed (the AWS documentation's ping
// through a stateless network ACL, from the public vectors).
import { describe, expect, it } from 'vitest';
import { createLineParser } from '../../shared/parse/index.ts';
import { mergeTop, type TopRow } from '../../client/lib/top.ts';
import { pairConversations, topChanges } from '../../client/lib/top-changes.ts';
import { quintuple, win } from './client-fixtures.ts';

const q = (
  src: string,
  sport: number,
  dst: string,
  dport: number,
  bytes: number,
  rejectBytes = 0,
) => quintuple({ srcaddr: src, srcport: sport, dstaddr: dst, dstport: dport, bytes, rejectBytes });

const rowsOf = (...list: ReturnType<typeof quintuple>[]): TopRow[] =>
  mergeTop([win(0, { top: list })], 'latest').rows;

describe('top changes', () => {
  it('says how each quintuple moved since the previous window, and which are new', () => {
    const a = q('10.0.0.1', 1000, '10.0.0.9', 443, 900);
    const b = q('10.0.0.2', 1000, '10.0.0.9', 443, 800);
    const c = q('10.0.0.3', 1000, '10.0.0.9', 443, 700);
    const previous = rowsOf(a, b, c);
    const now = rowsOf({ ...c, bytes: 1000 }, a, q('10.0.0.4', 1000, '10.0.0.9', 443, 850), b);
    const ch = topChanges(now, previous, { hour: [], rangeWindows: 1, totalBytes: 4000 });
    expect(now.map((r) => ch.get(r.key))).toEqual([
      { move: 2, isNew: false, rejectSpike: false },
      { move: -1, isNew: false, rejectSpike: false },
      { move: 0, isNew: true, rejectSpike: false },
      { move: -2, isNew: false, rejectSpike: false },
    ]);
    // The same flow on a new client port (a new connection) is no entrant: it moved.
    const again = rowsOf(q('10.0.0.2', 1001, '10.0.0.9', 443, 950), a);
    expect(
      topChanges(again, previous, { hour: [], rangeWindows: 1, totalBytes: 2000 }).get(
        again[0]!.key,
      ),
    ).toMatchObject({ isNew: false, move: 1 });
    // Without a previous window nothing is "new".
    expect(
      topChanges(now, null, { hour: [], rangeWindows: 1, totalBytes: 4000 }).get(now[0]!.key),
    ).toMatchObject({ isNew: false, move: 0 });
  });

  it("marks a REJECT spike against the quintuple's own previous hour, and stays quiet for scanners", () => {
    const db = q('10.0.1.5', 40000, '10.0.2.8', 3306, 50_000, 0);
    const hour = Array.from({ length: 30 }, (_, i) =>
      win(i, { top: [{ ...db, rejectBytes: 100 }] }),
    );
    // Now 20 kB of its bytes are REJECTed: 200 times its usual 100 B per window.
    const now = rowsOf(
      { ...db, rejectBytes: 20_000 },
      q('198.51.100.7', 51515, '10.0.1.5', 22, 60, 60),
    );
    const ch = topChanges(now, null, { hour, rangeWindows: 1, totalBytes: 100_000 });
    expect(ch.get(now[0]!.key)?.rejectSpike).toBe(true);
    // A scanner's single REJECTed SYN is new but far below 1% of the traffic: no spike.
    expect(ch.get(now[1]!.key)?.rejectSpike).toBe(false);
    // REJECTs as usual are no spike either.
    const usual = rowsOf({ ...db, rejectBytes: 150 });
    expect(
      topChanges(usual, null, { hour, rangeWindows: 1, totalBytes: 10_000 }).get(usual[0]!.key)
        ?.rejectSpike,
    ).toBe(false);
    // A revision of the hour's windows (new objects, each window's REJECTs learnt once per object)
    // is weighed afresh: the quintuple was already this REJECTed, so now it is no spike.
    const revised = hour.map((w) => ({ ...w, revision: 2, top: [{ ...db, rejectBytes: 20_000 }] }));
    expect(
      topChanges(now, null, { hour: revised, rangeWindows: 1, totalBytes: 100_000 }).get(
        now[0]!.key,
      )?.rejectSpike,
    ).toBe(false);
  });
});

describe('conversations', () => {
  it('folds both directions into one row, request first (the service port)', () => {
    const req = q('10.0.1.12', 51000, '10.0.2.8', 3306, 2_000);
    const reply = q('10.0.2.8', 3306, '10.0.1.12', 51000, 90_000);
    const other = q('10.0.1.13', 51001, '10.0.2.8', 3306, 500);
    const pairs = pairConversations(rowsOf(reply, req, other));
    expect(pairs).toHaveLength(2);
    expect(pairs[0]).toMatchObject({ bytes: 92_000, replyRejected: false });
    expect(pairs[0]!.request).toMatchObject({ srcaddr: '10.0.1.12', dstport: 3306, bytes: 2_000 });
    expect(pairs[0]!.reply).toMatchObject({ srcaddr: '10.0.2.8', bytes: 90_000 });
    expect(pairs[1]).toMatchObject({ reply: null, bytes: 500 });
    // A reply alone (its request fell outside the list) still reads client → service.
    const [alone] = pairConversations(rowsOf(reply));
    expect(alone).toMatchObject({
      request: null,
      client: { addr: '10.0.1.12', port: 51000 },
      service: { addr: '10.0.2.8', port: 3306 },
    });
  });

  it("flags the AWS documentation's ping: request ACCEPTed by the security group, reply REJECTed by the network ACL", () => {
    // Both lines as published in the public vectors (default-v2-format.golden.json).
    const lines = [
      '2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK',
    ];
    const parser = createLineParser();
    const top = lines.map((line, i) => {
      const r = parser.parse(line, i + 1);
      if (r.kind !== 'record') throw new Error(`line ${i + 1} is not a record`);
      const rec = r.record;
      return quintuple({
        srcaddr: rec.srcaddr!,
        srcport: rec.srcport!,
        dstaddr: rec.dstaddr!,
        dstport: rec.dstport!,
        protocol: rec.protocol!,
        bytes: rec.bytes!,
        packets: rec.packets!,
        rejectBytes: rec.action === 'REJECT' ? rec.bytes! : 0,
      });
    });
    const pairs = pairConversations(rowsOf(...top));
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ replyRejected: true, bytes: 672 });
    expect(pairs[0]!.request?.srcaddr).toBe('203.0.113.12');
    expect(pairs[0]!.reply?.srcaddr).toBe('172.31.16.139');
  });

  it('pairs a Tencent echo request (type 8) with its reply (type 0) despite their ports', () => {
    const ping = quintuple({
      srcaddr: '10.0.0.1',
      srcport: 0,
      dstaddr: '10.0.0.2',
      dstport: 2048,
      protocol: 1,
      bytes: 336,
    });
    const pong = quintuple({
      srcaddr: '10.0.0.2',
      srcport: 0,
      dstaddr: '10.0.0.1',
      dstport: 0,
      protocol: 1,
      bytes: 336,
      rejectBytes: 336,
    });
    const [pair] = pairConversations(rowsOf(pong, ping));
    expect(pair).toMatchObject({ replyRejected: true });
    expect(pair!.request?.dstport).toBe(2048);
  });
});
