import { describe, expect, it } from 'vitest';
import {
  HISTORY_MS,
  lastMinutes,
  MARGIN_MS,
  MAX_WINDOWS,
  mergeWindows,
  shownWindows,
} from '../../client/lib/windows.ts';
import { MIN, win, wins } from './client-fixtures.ts';

describe('mergeWindows', () => {
  it('adds new windows in windowStart order and counts them', () => {
    const { windows, applied } = mergeWindows(wins(2), [win(3), win(2)]);
    expect(windows.map((w) => w.windowStart - windows[0]!.windowStart)).toEqual([
      0,
      MIN,
      2 * MIN,
      3 * MIN,
    ]);
    expect(applied).toBe(2);
  });

  it('replaces a window only with a higher revision (revisions are full states, never added)', () => {
    const held = [win(0, { revision: 2, accept: { bytes: 500, packets: 5, records: 1 } })];
    const lower = mergeWindows(held, [win(0, { revision: 1 })]);
    expect(lower.applied).toBe(0);
    expect(lower.windows).toBe(held);
    const same = mergeWindows(held, [
      win(0, { revision: 2, accept: { bytes: 9, packets: 9, records: 9 } }),
    ]);
    expect(same.applied).toBe(0);
    const higher = mergeWindows(held, [
      win(0, { revision: 3, accept: { bytes: 700, packets: 7, records: 2 } }),
    ]);
    expect(higher.applied).toBe(1);
    expect(higher.windows).toHaveLength(1);
    expect(higher.windows[0]!.accept.bytes).toBe(700);
  });

  it('keeps the highest revision when one batch holds several of the same window', () => {
    const { windows, applied } = mergeWindows(
      [],
      [win(0, { revision: 2 }), win(0, { revision: 4 }), win(0, { revision: 3 })],
    );
    expect(windows.map((w) => w.revision)).toEqual([4]);
    expect(applied).toBe(1);
  });

  it('keeps at most the last 60 minutes plus the margin, measured from the newest window', () => {
    let held = mergeWindows([], wins(10)).windows;
    for (let i = 10; i < 200; i++) held = mergeWindows(held, [win(i)]).windows;
    expect(held.length).toBeLessThanOrEqual(MAX_WINDOWS);
    const newest = held.at(-1)!.windowStart;
    expect(newest - held[0]!.windowStart).toBeLessThanOrEqual(HISTORY_MS + MARGIN_MS);
    expect(held).toHaveLength((HISTORY_MS + MARGIN_MS) / MIN + 1);
  });

  it('drops (and does not count) a window older than the horizon', () => {
    const held = mergeWindows([], [win(100)]).windows;
    const { windows, applied } = mergeWindows(held, [win(0)]);
    expect(applied).toBe(0);
    expect(windows).toBe(held);
  });

  it('merges a reconnect snapshot into held windows by revision', () => {
    const held = [win(0, { revision: 3 }), win(1)];
    const snapshot = [win(0, { revision: 2 }), win(1, { revision: 2 }), win(2)];
    const { windows, applied } = mergeWindows(held, snapshot);
    expect(windows.map((w) => w.revision)).toEqual([3, 2, 1]);
    expect(applied).toBe(2);
  });
});

describe('window ranges', () => {
  it('takes the last N minutes from the newest window', () => {
    const ws = wins(30);
    expect(lastMinutes(ws, 15)).toHaveLength(15);
    expect(lastMinutes(ws, 15)[0]!.windowStart).toBe(ws[15]!.windowStart);
    expect(lastMinutes([], 15)).toEqual([]);
  });
  it('shows 60 minutes and keeps the margin out of sight', () => {
    expect(shownWindows(wins(65))).toHaveLength(60);
  });
});
