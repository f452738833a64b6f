// The live tail's bounded bookkeeping: newest rows first and at most `max`, nothing shown while
// paused but everything counted, batch gaps and server-side skips counted, the rate over 5 s.
import { describe, expect, it } from 'vitest';
import type { TailBatch, TailRecord } from '../../shared/events.ts';
import { TailBuffer } from '../../client/tail/tail-buffer.ts';

const rec = (port: number) => ({ srcport: port }) as TailRecord;
const batch = (seq: number, ports: number[], skipped = 0): TailBatch => ({
  topicId: 't',
  q: '',
  seq,
  records: ports.map(rec),
  matched: ports.length + skipped,
  skipped,
  at: 0,
});
const shown = (b: TailBuffer) => b.rows.map((r) => r.rec.srcport);

describe('tail buffer', () => {
  it('shows the newest first, at most max rows', () => {
    const b = new TailBuffer(4);
    b.add(batch(1, [1, 2]), 0);
    expect(b.show()).toBe(true);
    expect(shown(b)).toEqual([2, 1]);
    b.add(batch(2, [3, 4, 5]), 100);
    b.show();
    expect(shown(b)).toEqual([5, 4, 3, 2]);
    // A batch larger than the buffer keeps its newest.
    b.add(batch(3, [6, 7, 8, 9, 10, 11]), 200);
    b.show();
    expect(shown(b)).toEqual([11, 10, 9, 8]);
    expect(b.show()).toBe(false);
  });

  it('freezes while paused, counts what arrives, and shows the newest on resume', () => {
    const b = new TailBuffer(3);
    b.add(batch(1, [1]), 0);
    b.show();
    b.pause();
    for (let i = 2; i <= 9; i++) b.add(batch(i, [i * 10, i * 10 + 1]), i);
    expect(b.show()).toBe(false);
    expect(shown(b)).toEqual([1]);
    expect(b.newWhilePaused).toBe(16);
    b.resume();
    expect(b.show()).toBe(true);
    expect(shown(b)).toEqual([91, 90, 81]);
    expect(b.newWhilePaused).toBe(0);
  });

  it('counts records the server could not send and batches this client missed', () => {
    const b = new TailBuffer(10);
    b.expectAfter(4);
    b.add(batch(5, [1], 30), 0);
    b.add(batch(8, [2]), 10);
    expect(b.skipped).toBe(30);
    expect(b.missedBatches).toBe(2);
    expect(b.matched).toBe(32);
  });

  it('measures matching records per second over the last five seconds', () => {
    const b = new TailBuffer(10);
    b.add(batch(1, [], 5000), 0);
    b.add(batch(2, [], 5000), 1000);
    expect(b.rate(1000)).toBe(2000);
    expect(b.rate(5500)).toBe(1000);
    expect(b.rate(7000)).toBe(0);
  });
});
