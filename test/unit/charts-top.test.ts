import { describe, expect, it } from 'vitest';
import { quintupleLabel, topBars, topTitle } from '../../client/charts/top-bars.ts';
import { protocolBars, protocolRows } from '../../client/lib/protocols.ts';
import { mergeTop } from '../../client/lib/top.ts';
import { quintuple, win, wins } from './client-fixtures.ts';

const XSS = '<img src=x onerror=alert(1)>';

describe('top quintuple bars', () => {
  it('lists quintuples in descending bytes, the largest full width, the REJECT part apart', () => {
    const top = mergeTop(wins(1), 'latest');
    const bars = topBars(top.rows);
    expect(bars.map((b) => b.label)).toEqual([
      '10.0.1.12:443 → 203.0.113.123:36460 TCP',
      '10.0.1.11:53 → 10.0.0.2:5353 UDP',
    ]);
    expect(bars.map((b) => b.row.bytes)).toEqual([400_000, 100_000]);
    // 400 KB all ACCEPTed fills the track; 100 KB of which 60 KB REJECTed is a quarter of it.
    expect(bars[0]).toMatchObject({ accept: 1, reject: 0, value: '400 KB · 60.6%' });
    expect(bars[1]!.accept).toBeCloseTo(40_000 / 400_000);
    expect(bars[1]!.reject).toBeCloseTo(60_000 / 400_000);
  });

  it('hands each bar its row (quintuple and exact totals), in the table order', () => {
    const top = mergeTop(wins(1), 'latest');
    const bars = topBars(top.rows);
    expect(bars.map((b) => b.row.key)).toEqual(top.rows.slice(0, 10).map((r) => r.key));
    expect(bars[1]!.row).toMatchObject({
      key: '10.0.1.11|53|10.0.0.2|5353|17',
      srcaddr: '10.0.1.11',
      srcport: 53,
      dstaddr: '10.0.0.2',
      dstport: 5353,
      protocol: 17,
      bytes: 100_000,
      packets: 900,
      rejectBytes: 60_000,
    });
  });

  it('shows at most the top 10', () => {
    const many = Array.from({ length: 30 }, (_, i) => quintuple({ srcport: i, bytes: 1_000 - i }));
    const rows = mergeTop([win(0, { top: many })], 'latest').rows;
    expect(rows).toHaveLength(30);
    expect(topBars(rows)).toHaveLength(10);
    expect(topBars([])).toEqual([]);
  });

  it('keeps hostile addresses as plain text and marks approximate shares', () => {
    const rows = mergeTop(
      [win(0, { top: [quintuple({ srcaddr: XSS, dstaddr: '"><script>x</script>' })] })],
      'latest',
    ).rows;
    // Text and title content (Svelte sets them as text, never as HTML).
    expect(quintupleLabel(rows[0]!)).toContain(XSS);
    const title = topTitle(rows[0]!, true);
    expect(title.split('\n').at(-1)).toMatch(/^Share \(≈\) \d/);
    expect(topBars(rows, { approximate: true })[0]!.value).toContain('≈');
  });
});

describe('protocol breakdown', () => {
  it('sums protocol totals with names and shares, and draws the largest full width', () => {
    const rows = protocolRows(wins(2));
    expect(rows.map((r) => r.name)).toEqual(['TCP', 'UDP']);
    expect(rows[0]!.bytes).toBeCloseTo(2 * 660_000 * 0.9);
    expect(rows.reduce((n, r) => n + r.share, 0)).toBeCloseTo(1);
    const bars = protocolBars(rows);
    expect(bars.map((b) => b.row.name)).toEqual(['TCP', 'UDP']);
    expect(bars[0]!.width).toBe(1);
    expect(bars[1]!.width).toBeCloseTo(rows[1]!.bytes / rows[0]!.bytes);
    expect(bars[0]!.title.split('\n')[0]).toBe('TCP (6)');
    expect(protocolBars([])).toEqual([]);
  });
});
