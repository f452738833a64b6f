import { describe, expect, it } from 'vitest';
import {
  buildTopOption,
  quintupleLabel,
  topTooltipHtml,
  TOP_SERIES,
  type TopBarDatum,
} from '../../client/charts/top-option.ts';
import { buildProtocolOption, protocolRows } from '../../client/charts/protocol-option.ts';
import { mergeTop } from '../../client/lib/top.ts';
import { quintuple, win, wins } from './client-fixtures.ts';

type Bar = {
  id: string;
  data: unknown[];
  silent?: boolean;
  label?: { formatter: (p: unknown) => string };
};
type Cat = { data: string[]; inverse: boolean };
type Tooltip = { formatter: (p: unknown) => string };

const XSS = '<img src=x onerror=alert(1)>';

describe('buildTopOption', () => {
  it('lists quintuples in descending bytes with protocol names, REJECT part apart', () => {
    const top = mergeTop(wins(1), 'latest');
    const o = buildTopOption(top.rows, { theme: 'dark' });
    const y = o.yAxis as unknown as Cat;
    expect(y.inverse).toBe(true);
    expect(y.data).toEqual([
      '10.0.1.12:443 → 203.0.113.123:36460 TCP',
      '10.0.1.11:53 → 10.0.0.2:5353 UDP',
    ]);
    const [bytes, base, reject] = o.series as unknown as Bar[];
    expect([bytes!.id, base!.id, reject!.id]).toEqual([
      TOP_SERIES.bytes,
      TOP_SERIES.rejectBase,
      TOP_SERIES.reject,
    ]);
    expect(bytes!.id).toBe('top-bytes');
    expect(bytes!.data.map((d) => (d as TopBarDatum).value)).toEqual([400_000, 100_000]);
    // The REJECT part sits at the end of the bar (transparent ACCEPT base, then REJECT), silent.
    expect(base!.data).toEqual([400_000, 40_000]);
    expect(reject!.data).toEqual([0, 60_000]);
    expect(base!.silent && reject!.silent).toBe(true);
    expect(bytes!.label!.formatter({ dataIndex: 0 })).toBe('400 KB · 60.6%');
  });

  it('gives each top-bytes bar its quintuple and exact totals, in the table order', () => {
    const top = mergeTop(wins(1), 'latest');
    const [bytes] = buildTopOption(top.rows, { theme: 'dark' }).series as unknown as Bar[];
    const items = bytes!.data as TopBarDatum[];
    expect(items.map((d) => d.key)).toEqual(top.rows.slice(0, 10).map((r) => r.key));
    expect(items[1]).toEqual({
      value: 100_000,
      key: '10.0.1.11|53|10.0.0.2|5353|17',
      quintuple: {
        srcaddr: '10.0.1.11',
        srcport: 53,
        dstaddr: '10.0.0.2',
        dstport: 5353,
        protocol: 17,
      },
      bytes: 100_000,
      packets: 900,
      rejectBytes: 60_000,
      rejectPackets: 600,
    });
  });

  it('shows at most the top 10', () => {
    const many = Array.from({ length: 30 }, (_, i) => quintuple({ srcport: i, bytes: 1_000 - i }));
    const rows = mergeTop([win(0, { top: many })], 'latest').rows;
    expect(rows).toHaveLength(30);
    expect((buildTopOption(rows, { theme: 'light' }).yAxis as unknown as Cat).data).toHaveLength(
      10,
    );
  });

  it('escapes addresses in tooltips', () => {
    const rows = mergeTop(
      [win(0, { top: [quintuple({ srcaddr: XSS, dstaddr: '"><script>x</script>' })] })],
      'latest',
    ).rows;
    const html = (buildTopOption(rows, { theme: 'dark' }).tooltip as unknown as Tooltip).formatter([
      { dataIndex: 0 },
    ]);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(
      topTooltipHtml(rows[0]!, { accept: '#0f0', reject: '#f00', approximate: true }),
    ).toContain('Share (≈)');
    // Axis labels are canvas text: plain, unescaped.
    expect(quintupleLabel(rows[0]!)).toContain(XSS);
  });
});

describe('protocol breakdown', () => {
  it('sums protocol totals with names and shares', () => {
    const rows = protocolRows(wins(2));
    expect(rows.map((r) => r.name)).toEqual(['TCP', 'UDP']);
    expect(rows[0]!.bytes).toBeCloseTo(2 * 660_000 * 0.9);
    expect(rows.reduce((n, r) => n + r.share, 0)).toBeCloseTo(1);
    const o = buildProtocolOption(rows, { theme: 'dark' });
    expect((o.yAxis as unknown as Cat).data).toEqual(['TCP', 'UDP']);
  });
});
