import { describe, expect, it } from 'vitest';
import type { RegionPairTotals, WindowAggregate } from '../../shared/events.ts';
import { DEFAULT_THRESHOLDS, thresholdsOf, type Thresholds } from '../../shared/thresholds.ts';
import {
  buildRegionMatrix,
  inkOn,
  matrixRamp,
  matrixSizing,
  rampColor,
  ratePieces,
  type MatrixCell,
  type RegionMatrix,
} from '../../client/charts/region-matrix.ts';
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

function build(windows: WindowAggregate[], regions = REGIONS): RegionMatrix {
  return buildRegionMatrix(windows, regions, { theme: 'dark' });
}

const cellsOf = (m: RegionMatrix): MatrixCell[] =>
  m.rows.flat().filter((c): c is MatrixCell => c !== null);

// ---- tests ----------------------------------------------------------------------------------

describe('buildRegionMatrix', () => {
  it('has cells that sum to the total bytes of the windows', () => {
    const windows = fixture();
    const cells = cellsOf(build(windows));
    const total = windows.reduce((n, w) => n + w.accept.bytes + w.reject.bytes, 0);
    expect(cells.reduce((n, c) => n + c.bytes, 0)).toBe(total);
    // Colours and texts are the average bit rates: bytes × 8 / (60 s × 3 windows).
    const bps = cells.reduce((n, c) => n + c.rate, 0);
    expect(bps).toBeCloseTo((total * 8) / 180, 3);
    expect(cells.every((c) => c.seconds === 180)).toBe(true);
  });

  it('has the regions as rows and columns, sources down and destinations across', () => {
    const m = build(fixture());
    expect(m.regions.map((r) => r.id)).toEqual(REGIONS);
    expect(m.regions[0]).toMatchObject({ short: 'Guangzhou', code: 'GZ' });
    const gzSh = m.rows[0]![1]!;
    expect(gzSh).toMatchObject({ src: 'ap-guangzhou', dst: 'ap-shanghai', bytes: 1e10 });
    expect(gzSh.text).toBe('444M');
    // A pair without traffic (and the diagonal) is an empty cell.
    expect(m.rows[0]![0]).toBeNull();
    expect(m.rows[1]![2]).toBeNull();
    expect(m.rows.every((r) => r.length === REGIONS.length)).toBe(true);
    // Unknown ids in the data get a row and a column after the listed ones.
    const odd = build([win(0, [pair('ap-guangzhou', 'xx-new', 5e6)])]);
    expect(odd.regions.map((r) => r.id)).toEqual([...REGIONS, 'xx-new']);
    expect(odd.rows[0]![4]).toMatchObject({ src: 'ap-guangzhou', dst: 'xx-new' });
    expect(odd.regions[4]!.name).toBe('unknown region');
  });

  it('marks the cells of pairs with REJECTs, and only those', () => {
    const cells = cellsOf(build(fixture()));
    const marked = cells.filter((c) => c.reject !== null);
    expect(marked.map((c) => `${c.src}>${c.dst}`).sort()).toEqual([
      'ap-shanghai>ap-guangzhou',
      'eu-frankfurt>ap-singapore',
    ]);
    // By the topic's thresholds: a trickle (0.2 %) is calm, a REJECT-only pair alerts.
    const shGz = marked.find((c) => c.src === 'ap-shanghai')!;
    expect(shGz).toMatchObject({ rejectBytes: 4e6, reject: '0.2%', level: 'ok' });
    const fraSg = marked.find((c) => c.src === 'eu-frankfurt')!;
    expect(fraSg).toMatchObject({ acceptBytes: 0, reject: '100%', level: 'alert' });
    const plain = cells.find((c) => c.src === 'ap-guangzhou' && c.dst === 'ap-shanghai')!;
    expect(plain).toMatchObject({ reject: null, level: null });
  });

  it("colours a pair's REJECT share by the topic's own thresholds", () => {
    const at = (thresholds: Thresholds) =>
      cellsOf(buildRegionMatrix(fixture(), REGIONS, { theme: 'dark', thresholds })).find(
        (c) => c.src === 'ap-shanghai' && c.dst === 'ap-guangzhou',
      )!.level;
    expect(at({ ...DEFAULT_THRESHOLDS, rejectWarn: 0.001, rejectAlert: 0.5 })).toBe('warn');
    expect(at({ ...DEFAULT_THRESHOLDS, rejectWarn: 0.001, rejectAlert: 0.0015 })).toBe('alert');
    expect(at({ ...DEFAULT_THRESHOLDS, rejectWarn: 0.003, rejectAlert: 0.5 })).toBe('ok');
    // A topic that collects only REJECTed traffic is never coloured: 100 % is by design.
    const rejectOnly = thresholdsOf({ flowLogs: [{ collectionType: 'REJECT' }] });
    expect(
      cellsOf(
        buildRegionMatrix(fixture(), REGIONS, { theme: 'dark', thresholds: rejectOnly }),
      ).every((c) => c.level !== 'warn' && c.level !== 'alert'),
    ).toBe(true);
  });

  it('colours on log-scale pieces that cover every cell, with text that reads on each', () => {
    const m = build(fixture());
    for (const c of cellsOf(m)) {
      const hits = m.pieces.filter(
        (p) => (p.gte === undefined || c.rate >= p.gte) && (p.lt === undefined || c.rate < p.lt),
      );
      expect(hits).toEqual([m.pieces[c.piece]]);
    }
    // The ramp's ends are the first and last pieces' colours; bright colours get dark text.
    const ramp = matrixRamp('dark');
    expect(m.pieces[0]!.color).toBe(ramp[0]);
    expect(m.pieces.at(-1)!.color).toBe(ramp.at(-1));
    expect(m.pieces[0]!.ink).toBe('light');
    expect(m.pieces.at(-1)!.ink).toBe('dark');
    expect(rampColor(['#000000', '#ffffff'], 0.5)).toBe('#808080');
    expect(inkOn('#08306b')).toBe('light');
    expect(inkOn('#d6e8f6')).toBe('dark');
    const light = buildRegionMatrix(fixture(), REGIONS, { theme: 'light' });
    expect(light.pieces[0]!.ink).toBe('dark');
    expect(light.pieces.at(-1)!.ink).toBe('light');

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

  it('says what it sums, and what stands in for cells without traffic', () => {
    expect(build(fixture()).summary).toBe('550 Mbps · <0.1% REJECT');
    expect(build(fixture()).empty).toBeNull();
    expect(build([])).toMatchObject({
      summary: 'no windows yet',
      empty: 'Waiting for the first capture window…',
      cells: 0,
    });
    expect(build([win(0, [])]).empty).toBe('No cross-region traffic');
  });

  it('fits its labels to the cells', () => {
    const big = matrixSizing(1200, 700, REGIONS);
    expect(big).toMatchObject({ names: true, xLabel: 'short', rotate: 0, cellLabels: true });
    expect(big.rejectText).toBe('below');
    const small = matrixSizing(420, 260, [
      ...REGIONS,
      'ap-tokyo',
      'na-siliconvalley',
      'ap-beijing',
    ]);
    expect(small.names).toBe(false);
    expect(small.xLabel).toBe('code');
    expect(small.rejectText).not.toBe('below');
    expect(small.font).toBeGreaterThanOrEqual(10);
  });
});
