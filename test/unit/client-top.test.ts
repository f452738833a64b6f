import { describe, expect, it } from 'vitest';
import { mergeTop } from '../../client/lib/top.ts';
import { quintuple, win, wins } from './client-fixtures.ts';

describe('mergeTop', () => {
  it('lists the latest window exactly: descending bytes, protocol names, share of all traffic', () => {
    const ws = [
      win(0),
      win(1, {
        top: [quintuple({ bytes: 10 }), quintuple({ srcport: 1, protocol: 17, bytes: 330_000 })],
      }),
    ];
    const top = mergeTop(ws, 'latest');
    expect(top.approximate).toBe(false);
    expect(top.windows).toBe(1);
    expect(top.rows.map((r) => r.bytes)).toEqual([330_000, 10]);
    expect(top.rows.map((r) => r.protocolName)).toEqual(['UDP', 'TCP']);
    expect(top.totalBytes).toBe(660_000);
    expect(top.rows[0]!.share).toBeCloseTo(0.5);
  });

  it('sums per-window top lists over a range and flags the result approximate', () => {
    const top = mergeTop(wins(20), '15m');
    expect(top.windows).toBe(15);
    expect(top.approximate).toBe(true);
    expect(top.rows).toHaveLength(2);
    expect(top.rows[0]!.bytes).toBe(15 * 400_000);
    expect(top.rows[1]!.rejectBytes).toBe(15 * 60_000);
    expect(top.rows[0]!.share).toBeCloseTo(400_000 / 660_000);
  });

  it('is empty before any window', () => {
    expect(mergeTop([], '60m')).toMatchObject({ rows: [], totalBytes: 0, windows: 0 });
  });

  it('reports truncated trackers', () => {
    expect(mergeTop([win(0, { topTruncated: true })], 'latest').truncated).toBe(true);
  });
});
