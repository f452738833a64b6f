import { describe, expect, it } from 'vitest';
import type { RegionPairTotals, WindowAggregate } from '../../shared/events.ts';
import {
  MATRIX_IDS,
  buildRegionMatrixOption,
  ratePieces,
  matrixLabel,
  matrixPalette,
  type MatrixCellDatum,
} from '../../client/charts/matrix-option.ts';
import { MIN, ccnWindow, regionPair } from './client-fixtures.ts';

// ---- fixtures -------------------------------------------------------------------------------

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const REGIONS = ['ap-guangzhou', 'ap-shanghai', 'ap-singapore', 'eu-frankfurt'];

const pair = (src: string, dst: string, acceptBytes: number, rejectBytes = 0) =>
  regionPair(src, dst, acceptBytes, rejectBytes, 4);

/** A CCN window whose totals are the sums of its region pairs. */
const win = (minute: number, pairs: RegionPairTotals[], revision = 1) =>
  ccnWindow(T0 + minute * MIN, pairs, revision, T0 + (minute + 1) * MIN);

function fixture(): WindowAggregate[] {
  return [
    win(0, [
      pair('ap-guangzhou', 'ap-shanghai', 4.5e9),
      pair('ap-shanghai', 'ap-guangzhou', 1.2e9, 3e6),
      pair('ap-singapore', 'eu-frankfurt', 7e7),
    ]),
    win(1, [
      pair('ap-guangzhou', 'ap-shanghai', 5.5e9),
      pair('ap-shanghai', 'ap-guangzhou', 0.8e9, 1e6),
      pair('eu-frankfurt', 'ap-singapore', 0, 2e5),
    ]),
    win(2, [pair('ap-guangzhou', 'eu-frankfurt', 3e8)]),
  ];
}

interface Built {
  xAxis: { data: string[] };
  yAxis: { data: string[] };
  series: Array<{ id: string; type: string; data: MatrixCellDatum[] }>;
  visualMap: { pieces: Array<{ gte?: number; lt?: number }>; seriesId: string };
  tooltip: { formatter: (p: unknown) => string };
  title: Array<{ id: string; show?: boolean }>;
}

function build(windows: WindowAggregate[], regions = REGIONS): Built {
  return buildRegionMatrixOption(windows, regions, { theme: 'dark' }) as unknown as Built;
}

const cellsOf = (o: Built) => o.series.find((s) => s.id === MATRIX_IDS.cells)!.data;

// ---- tests ----------------------------------------------------------------------------------

describe('buildRegionMatrixOption', () => {
  it('has cells that sum to the total bytes of the windows', () => {
    const windows = fixture();
    const cells = cellsOf(build(windows));
    const total = windows.reduce((n, w) => n + w.accept.bytes + w.reject.bytes, 0);
    expect(cells.reduce((n, c) => n + c.bytes, 0)).toBe(total);
    // Colour values are the average bit rates: bytes × 8 / (60 s × 3 windows).
    const bps = cells.reduce((n, c) => n + c.value[2], 0);
    expect(bps).toBeCloseTo((total * 8) / 180, 3);
    expect(cells.every((c) => c.seconds === 180)).toBe(true);
  });

  it('has the regions as axis categories, sources down and destinations across', () => {
    const o = build(fixture());
    expect(o.xAxis.data).toEqual(REGIONS);
    expect(o.yAxis.data).toEqual(REGIONS);
    const gzSh = cellsOf(o).find((c) => c.src === 'ap-guangzhou' && c.dst === 'ap-shanghai')!;
    expect(gzSh.value.slice(0, 2)).toEqual([1, 0]);
    expect(gzSh.bytes).toBe(1e10);
    // Unknown ids in the data get a row and a column after the listed ones.
    const odd = build([win(0, [pair('ap-guangzhou', 'xx-new', 5e6)])]);
    expect(odd.xAxis.data).toEqual([...REGIONS, 'xx-new']);
    expect(odd.yAxis.data).toEqual([...REGIONS, 'xx-new']);
    expect(cellsOf(odd)[0]!.value.slice(0, 2)).toEqual([4, 0]);
  });

  it('marks the cells of pairs with REJECTs, and only those', () => {
    const cells = cellsOf(build(fixture()));
    const reject = matrixPalette('dark').reject;
    const marked = cells.filter((c) => c.itemStyle !== undefined);
    expect(marked.map((c) => `${c.src}>${c.dst}`).sort()).toEqual([
      'ap-shanghai>ap-guangzhou',
      'eu-frankfurt>ap-singapore',
    ]);
    // A trickle (0.2 %) gets a thin translucent border, a REJECT-only pair the full one.
    expect(marked.find((c) => c.src === 'eu-frankfurt')!.itemStyle).toEqual({
      borderColor: reject,
      borderWidth: 3,
    });
    expect(marked.find((c) => c.src === 'ap-shanghai')!.itemStyle).toEqual({
      borderColor: 'rgba(255, 93, 79, 0.6)',
      borderWidth: 1.5,
    });
    const shGz = marked.find((c) => c.src === 'ap-shanghai')!;
    expect(shGz.rejectBytes).toBe(4e6);
    expect(matrixLabel({ data: shGz })).toMatch(/\{r\|✕ 0\.2%\}$/);
    const plain = cells.find((c) => c.src === 'ap-guangzhou' && c.dst === 'ap-shanghai')!;
    expect(plain.itemStyle).toBeUndefined();
    expect(matrixLabel({ data: plain })).toBe('{v|444M}');
    expect(matrixLabel({ data: shGz }, 'inline')).toMatch(/^\{v\|[^}]+\} \{r\|✕0\.2%\}$/);
    expect(matrixLabel({ data: shGz }, 'none')).not.toContain('{r|');
    // A REJECT-only pair still gets a cell.
    expect(cells.find((c) => c.src === 'eu-frankfurt')!.acceptBytes).toBe(0);
  });

  it('escapes region ids and states the REJECT share in the tooltip', () => {
    const evil = '"><script>alert(1)</script>';
    const o = build([win(0, [pair(evil, 'ap-tokyo', 6e8, 6e6)])], [evil, 'ap-tokyo']);
    const html = o.tooltip.formatter({ data: cellsOf(o)[0] });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('80 Mbps ACCEPT, 800 Kbps REJECT (0.99%)');
  });

  it('colours on log-scale pieces that cover every cell', () => {
    const o = build(fixture());
    expect(o.visualMap.seriesId).toBe(MATRIX_IDS.cells);
    for (const c of cellsOf(o)) {
      const v = c.value[2];
      const hits = o.visualMap.pieces.filter(
        (p) => (p.gte === undefined || v >= p.gte) && (p.lt === undefined || v < p.lt),
      );
      expect(hits).toHaveLength(1);
    }
    expect(ratePieces([]).length).toBeGreaterThanOrEqual(3);
    expect(ratePieces([5e7]).length).toBeGreaterThanOrEqual(3);
    expect(ratePieces([1, 1e15]).length).toBeLessThanOrEqual(8);
    expect(ratePieces([1.5e7, 4e8]).map((p) => p.label)).toEqual([
      '< 30M',
      '30M–100M',
      '100M–300M',
      '≥ 300M',
    ]);
  });

  it('keeps ids stable and shows the empty state without traffic', () => {
    const empty = build([]);
    expect(empty.series.map((s) => s.id)).toEqual([MATRIX_IDS.cells]);
    expect(empty.title.find((t) => t.id === MATRIX_IDS.empty)!.show).toBe(true);
    expect(build(fixture()).title.find((t) => t.id === MATRIX_IDS.empty)!.show).toBe(false);
  });
});
