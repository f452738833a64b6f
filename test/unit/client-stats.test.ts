import { describe, expect, it } from 'vitest';
import { computeKpis, streamHealth, streamRows, usualDelay } from '../../client/lib/stats.ts';
import { MIN, win, wins } from './client-fixtures.ts';

describe('computeKpis', () => {
  it('reads the newest window in per-second units', () => {
    const k = computeKpis(wins(3))!;
    expect(k.bitsPerSecond).toBe((660_000 * 8) / 60);
    expect(k.packetsPerSecond).toBe(6_600 / 60);
    expect(k.rejectShare).toBeCloseTo(60_000 / 660_000);
    expect(k.recordsPerMinute).toBe(45);
    expect(k.previous?.bitsPerSecond).toBe(k.bitsPerSecond);
  });
  it('has no previous figures across a gap, and nothing before any window', () => {
    expect(computeKpis([win(0), win(2)])!.previous).toBeNull();
    expect(computeKpis([])).toBeNull();
  });
});

describe('streams', () => {
  it('sums log-status counts over the windows', () => {
    expect(streamHealth(wins(3))).toEqual({
      active: 2,
      ok: 135,
      nodata: 3,
      skipdata: 0,
      nodataStreams: 1,
      skipdataStreams: 0,
    });
  });
  it('lists configured streams, problems first, with unknown and silent ones', () => {
    const ws = [
      win(0, { streams: [{ streamId: 'eni-b', ok: 3, nodata: 0, skipdata: 0 }] }),
      win(1, {
        streams: [
          { streamId: 'eni-a', ok: 2, nodata: 0, skipdata: 0 },
          { streamId: 'eni-x', ok: 0, nodata: 0, skipdata: 4 },
        ],
      }),
    ];
    const rows = streamRows(
      [
        { id: 'eni-a', name: 'web-01' },
        { id: 'eni-b', name: 'web-02' },
        { id: 'eni-c', name: 'db-01' },
      ],
      ws,
    );
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      ['eni-x', 'skipdata'],
      ['eni-c', 'silent'],
      ['eni-b', 'silent'],
      ['eni-a', 'ok'],
    ]);
    expect(rows.find((r) => r.id === 'eni-b')!.lastSeen).toBe(ws[0]!.windowStart);
    expect(rows.find((r) => r.id === 'eni-c')!.lastSeen).toBeNull();
  });
  it('shows a new flow log’s stream as waiting until its records come, then by its windows', () => {
    const due = 1_800_000_000_000;
    const streams = [
      { id: 'eni-a', name: 'web-01', expectedBy: due },
      { id: 'eni-b', name: 'web-02', expectedBy: due },
    ];
    const ws = [
      win(0, { streams: [{ streamId: 'eni-b', ok: 3, nodata: 0, skipdata: 0 }] }),
      win(1, { streams: [{ streamId: 'eni-c', ok: 1, nodata: 0, skipdata: 0 }] }),
    ];
    const rows = streamRows(streams, ws);
    expect(rows.map((r) => [r.id, r.state, r.expectedBy])).toEqual([
      ['eni-b', 'silent', null], // it wrote once, then not in the newest window
      ['eni-a', 'waiting', due],
      ['eni-c', 'ok', null],
    ]);
    expect(streamRows(streams, [])[0]).toMatchObject({ state: 'waiting', expectedBy: due });
  });
});

describe('usualDelay', () => {
  it('is the median publication delay after the window end, clamped', () => {
    const ws = [win(0, {}), win(1, {}), win(2, {})];
    ws[2] = { ...ws[2]!, publishedAt: ws[2]!.windowStart + MIN + 500_000 };
    expect(usualDelay(ws)).toBe(10_000);
    expect(usualDelay([])).toBe(0);
    expect(usualDelay([{ ...win(0), publishedAt: win(0).windowStart + 90 * MIN }])).toBe(10 * MIN);
  });
});
