import { describe, expect, it } from 'vitest';
import type { RegionPairTotals, WindowAggregate } from '../../shared/events.ts';
import type { EChartsCoreOption } from '../../client/charts/echarts.ts';
import {
  CURVENESS,
  FLOWMAP_IDS,
  LINE_WIDTH,
  MAX_LINES,
  MILLER,
  WORLD_MAP,
  buildFlowMapOption,
  flowMapLand,
  flowMapPalette,
  flowMapTooltip,
  lineWidth,
  type FlowLineDatum,
  type FlowNodeDatum,
} from '../../client/charts/flowmap-option.ts';
import {
  isKnownRegion,
  placeRegions,
  regionInfo,
  selectSpan,
  summarisePairs,
} from '../../client/lib/regions.ts';
import { buildWorldGeoJson, unwrapRing } from '../../client/lib/world-map.ts';
import { MIN, ccnWindow, regionPair } from './client-fixtures.ts';

// ---- fixtures -------------------------------------------------------------------------------

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const REGIONS = [
  'ap-guangzhou',
  'ap-shanghai',
  'ap-beijing',
  'ap-singapore',
  'ap-tokyo',
  'na-siliconvalley',
  'eu-frankfurt',
];

const pair = (src: string, dst: string, acceptBytes: number, rejectBytes = 0) =>
  regionPair(src, dst, acceptBytes, rejectBytes, 10);

/** A CCN window whose totals are the sums of its region pairs. */
const win = (minute: number, pairs: RegionPairTotals[], revision = 1) =>
  ccnWindow(T0 + minute * MIN, pairs, revision, T0 + (minute + 1) * MIN + 10_000);

function fixture(): WindowAggregate[] {
  return [
    win(0, [
      pair('ap-guangzhou', 'ap-shanghai', 6e9),
      pair('ap-shanghai', 'ap-guangzhou', 3e9),
      pair('ap-guangzhou', 'eu-frankfurt', 1e9, 1e7),
      pair('ap-beijing', 'ap-singapore', 2e8),
      pair('na-siliconvalley', 'ap-tokyo', 0, 5e6),
    ]),
    win(1, [
      pair('ap-guangzhou', 'ap-shanghai', 6e9),
      pair('ap-shanghai', 'ap-guangzhou', 3e9),
      pair('ap-guangzhou', 'eu-frankfurt', 1e9, 1e7),
      pair('ap-beijing', 'ap-singapore', 2e8),
    ]),
  ];
}

interface Built {
  geo: { map: string; boundingCoords: number[][] };
  series: Array<{ id: string; type: string; data: unknown[] }>;
  graphic: { elements: Array<{ id: string; invisible?: boolean; style?: { text?: string } }> };
  tooltip: { formatter: (p: unknown) => string };
}

function build(windows: WindowAggregate[], regions = REGIONS): Built {
  return buildFlowMapOption(windows, regions, { theme: 'dark', effect: false }) as unknown as Built;
}

function seriesData<T>(o: Built, id: string): T[] {
  const s = o.series.find((x) => x.id === id);
  if (!s) throw new Error(`no series ${id}`);
  return s.data as T[];
}

const key = (d: { src: string; dst: string }) => `${d.src}>${d.dst}`;

/** ECharts' control point of a curved line (chart/lines/linesLayout.js), in projected space. */
function controlPoint(d: FlowLineDatum): { p0: number[]; p1: number[]; c: number[] } {
  const p0 = MILLER.project(d.coords[0]);
  const p1 = MILLER.project(d.coords[1]);
  const k = d.lineStyle.curveness;
  const c = [
    (p0[0]! + p1[0]!) / 2 - (p0[1]! - p1[1]!) * k,
    (p0[1]! + p1[1]!) / 2 - (p1[0]! - p0[0]!) * k,
  ];
  return { p0, p1, c };
}

/** Sign of the side of the chord a→b that point c lies on. */
function side(a: number[], b: number[], c: number[]): number {
  return Math.sign((b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!));
}

// ---- tests ----------------------------------------------------------------------------------

describe('buildFlowMapOption', () => {
  it('leaves the land to a chart of its own, unchanged by a live update', () => {
    const busy = build(fixture());
    const quiet = build(fixture().slice(0, 1));
    // The lines' chart projects on its geo but does not draw it (ECharts would rebuild and repaint
    // every polygon of the world on each update).
    expect((busy.geo as { show?: boolean }).show).toBe(false);
    const land = flowMapLand(busy as unknown as EChartsCoreOption) as {
      geo: Record<string, unknown>;
      series?: unknown;
    };
    expect(land.geo.show).toBe(true);
    expect(land.series).toBeUndefined();
    // The same projection, bounds and layout as the lines', whatever the traffic: the land is
    // drawn once, and the lines fall on it.
    expect({ ...land.geo, show: false }).toEqual(busy.geo);
    expect(flowMapLand(quiet as unknown as EChartsCoreOption)).toEqual(land);
  });

  it('uses the world map and keeps stable series ids', () => {
    const o = build(fixture());
    expect(o.geo.map).toBe(WORLD_MAP);
    expect(o.series.map((s) => s.id)).toEqual([
      FLOWMAP_IDS.accept,
      FLOWMAP_IDS.reject,
      FLOWMAP_IDS.regions,
    ]);
    expect(build([]).series.map((s) => s.id)).toEqual(o.series.map((s) => s.id));
  });

  it('draws one ACCEPT line per region pair with accepted traffic, carrying the pair', () => {
    const lines = seriesData<FlowLineDatum>(build(fixture()), FLOWMAP_IDS.accept);
    expect(lines.map(key).sort()).toEqual(
      [
        'ap-guangzhou>ap-shanghai',
        'ap-shanghai>ap-guangzhou',
        'ap-guangzhou>eu-frankfurt',
        'ap-beijing>ap-singapore',
      ].sort(),
    );
    const gzFra = lines.find((l) => key(l) === 'ap-guangzhou>eu-frankfurt')!;
    expect(gzFra).toMatchObject({
      src: 'ap-guangzhou',
      dst: 'eu-frankfurt',
      action: 'ACCEPT',
      bytes: 2e9,
      packets: 2e6,
      acceptBytes: 2e9,
      rejectBytes: 2e7,
      seconds: 120,
      windowMs: 60_000,
    });
    expect(gzFra.coords).toEqual([
      regionInfo('ap-guangzhou').coord,
      regionInfo('eu-frankfurt').coord,
    ]);
  });

  it('makes lines wider as bytes grow, between the stated bounds', () => {
    const lines = seriesData<FlowLineDatum>(build(fixture()), FLOWMAP_IDS.accept);
    const sorted = [...lines].sort((a, b) => a.bytes - b.bytes);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]!.lineStyle.width).toBeGreaterThan(sorted[i - 1]!.lineStyle.width);
    }
    expect(sorted.at(-1)!.lineStyle.width).toBe(LINE_WIDTH.max);
    for (const l of lines) expect(l.lineStyle.width).toBeGreaterThanOrEqual(LINE_WIDTH.min);
    // √ scale: a quarter of the bytes is a bit more than half the width.
    expect(lineWidth(25, 100)).toBeCloseTo(
      LINE_WIDTH.min + (LINE_WIDTH.max - LINE_WIDTH.min) / 2,
      5,
    );
    expect(lineWidth(0, 100)).toBe(LINE_WIDTH.min);
    expect(lineWidth(5, 0)).toBe(LINE_WIDTH.min);
  });

  it('puts REJECTed traffic in the reject series, never as ACCEPT-only', () => {
    const o = build(fixture());
    const accept = seriesData<FlowLineDatum>(o, FLOWMAP_IDS.accept);
    const reject = seriesData<FlowLineDatum>(o, FLOWMAP_IDS.reject);
    expect(reject.map(key).sort()).toEqual([
      'ap-guangzhou>eu-frankfurt',
      'na-siliconvalley>ap-tokyo',
    ]);
    for (const r of reject) expect(r.action).toBe('REJECT');
    // Only REJECTs from Silicon Valley to Tokyo: no ACCEPT line for it.
    expect(accept.map(key)).not.toContain('na-siliconvalley>ap-tokyo');
    const sv = reject.find((r) => key(r) === 'na-siliconvalley>ap-tokyo')!;
    expect(sv).toMatchObject({ bytes: 5e6, packets: 5e4, acceptBytes: 0 });
    // Mixed pair: both lines, the REJECT one with the REJECT bytes, bent differently.
    const gzFraA = accept.find((l) => key(l) === 'ap-guangzhou>eu-frankfurt')!;
    const gzFraR = reject.find((l) => key(l) === 'ap-guangzhou>eu-frankfurt')!;
    expect(gzFraR.bytes).toBe(2e7);
    expect(gzFraR.lineStyle.curveness).not.toBe(gzFraA.lineStyle.curveness);
  });

  it('bends A→B and B→A to opposite sides, so they never overlap', () => {
    const lines = seriesData<FlowLineDatum>(build(fixture()), FLOWMAP_IDS.accept);
    const ab = lines.find((l) => key(l) === 'ap-guangzhou>ap-shanghai')!;
    const ba = lines.find((l) => key(l) === 'ap-shanghai>ap-guangzhou')!;
    expect(ab.lineStyle.curveness).toBe(CURVENESS.accept);
    expect(ab.lineStyle.curveness).not.toBe(0);
    // ECharts offsets the control point to the left of the direction of travel: the same curveness
    // on reversed endpoints lands on the other side of the chord GZ–SH.
    const cab = controlPoint(ab);
    const cba = controlPoint(ba);
    expect(side(cab.p0, cab.p1, cab.c)).toBe(side(cab.p0, cab.p1, cba.c) * -1);
    expect(side(cab.p0, cab.p1, cab.c)).not.toBe(0);
  });

  it('places region nodes at the regions’ coordinates', () => {
    const nodes = seriesData<FlowNodeDatum>(build(fixture()), FLOWMAP_IDS.regions);
    expect(nodes.map((n) => n.region)).toEqual(REGIONS);
    const at = (id: string) => nodes.find((n) => n.region === id)!.value.slice(0, 2);
    expect(at('ap-guangzhou')).toEqual([113.26, 23.13]);
    expect(at('eu-frankfurt')).toEqual([8.68, 50.11]);
    expect(at('na-siliconvalley')).toEqual([-121.96, 37.35]);
    for (const n of nodes) expect(n.value.slice(0, 2)).toEqual(regionInfo(n.region).coord);
    // Busiest region biggest; idle regions (none here) smallest.
    const gz = nodes.find((n) => n.region === 'ap-guangzhou')!;
    for (const n of nodes) expect(gz.symbolSize).toBeGreaterThanOrEqual(n.symbolSize);
  });

  it('draws unknown regions in the bottom row and lists them, without crashing', () => {
    const windows = [
      win(0, [pair('ap-guangzhou', 'xx-mars-1', 1e8), pair('yy-venus', 'ap-guangzhou', 2e8, 1e6)]),
    ];
    const o = build(windows, [...REGIONS, 'zz-listed-unknown']);
    const nodes = seriesData<FlowNodeDatum>(o, FLOWMAP_IDS.regions);
    const unknown = nodes.filter((n) => !n.known).map((n) => n.region);
    expect(unknown).toEqual(['zz-listed-unknown', 'xx-mars-1', 'yy-venus']);
    const coords = nodes.filter((n) => !n.known).map((n) => n.value.slice(0, 2).join(','));
    expect(new Set(coords).size).toBe(3);
    for (const n of nodes.filter((x) => !x.known)) {
      expect(n.value[1]).toBeLessThan(-40);
    }
    const accept = seriesData<FlowLineDatum>(o, FLOWMAP_IDS.accept);
    expect(accept.map(key).sort()).toEqual(['ap-guangzhou>xx-mars-1', 'yy-venus>ap-guangzhou']);
    const list = o.graphic.elements.find((e) => e.id === FLOWMAP_IDS.unknown)!;
    expect(list.invisible).toBe(false);
    expect(list.style?.text).toContain('xx-mars-1');
    // The view reaches down to the row.
    expect(o.geo.boundingCoords[1]![1]).toBeLessThan(-48);
    expect(
      build(fixture()).graphic.elements.find((e) => e.id === FLOWMAP_IDS.unknown)!.invisible,
    ).toBe(true);
    expect(isKnownRegion('xx-mars-1')).toBe(false);
    expect(() => build([win(0, [pair('', '', 1)])], [])).not.toThrow();
  });

  it('escapes region ids in tooltip HTML', () => {
    const evil = '<script>alert(1)</script>';
    const windows = [
      win(0, [
        pair(evil, 'ap-tokyo', 1e9, 1e7),
        pair('ap-tokyo', '<img src=x onerror=alert(2)>', 1e6),
      ]),
    ];
    const o = build(windows);
    const lines = [
      ...seriesData<FlowLineDatum>(o, FLOWMAP_IDS.accept).map((data) => ({
        seriesId: FLOWMAP_IDS.accept,
        data,
      })),
      ...seriesData<FlowLineDatum>(o, FLOWMAP_IDS.reject).map((data) => ({
        seriesId: FLOWMAP_IDS.reject,
        data,
      })),
    ];
    const nodes = seriesData<FlowNodeDatum>(o, FLOWMAP_IDS.regions).map((data) => ({
      seriesId: FLOWMAP_IDS.regions,
      data,
    }));
    expect(lines.length).toBe(3);
    for (const params of [...lines, ...nodes]) {
      const html = o.tooltip.formatter(params);
      expect(html).not.toMatch(/<script|<img/i);
    }
    const html = o.tooltip.formatter(lines[0]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; → ap-tokyo');
  });

  it('states bit rates as bytes × 8 / (60 s × windows), with the REJECT share', () => {
    const o = build(fixture());
    const gzFra = seriesData<FlowLineDatum>(o, FLOWMAP_IDS.accept).find(
      (l) => key(l) === 'ap-guangzhou>eu-frankfurt',
    )!;
    // 2e9 bytes over 2 windows: 2e9 × 8 / 120 s = 133 Mbps; 2e7 → 1.33 Mbps; 2e7 / 2.02e9 = 0.99 %.
    const html = flowMapTooltip(
      { seriesId: FLOWMAP_IDS.accept, data: gzFra },
      flowMapPalette('dark'),
    );
    expect(html).toContain(
      'ap-guangzhou → eu-frankfurt: 133 Mbps ACCEPT, 1.33 Mbps REJECT (0.99%)',
    );
    const latest = build(selectSpan(fixture(), 'latest'));
    const one = seriesData<FlowLineDatum>(latest, FLOWMAP_IDS.accept).find(
      (l) => key(l) === 'ap-guangzhou>eu-frankfurt',
    )!;
    expect(one.seconds).toBe(60);
    expect(
      flowMapTooltip({ seriesId: FLOWMAP_IDS.accept, data: one }, flowMapPalette('dark')),
    ).toContain('133 Mbps ACCEPT');
    expect(flowMapTooltip({ seriesId: 'other', data: one }, flowMapPalette('dark'))).toBe('');
  });

  it('draws a trickle of REJECTs faint and a pair losing ≥ 1 % at full strength', () => {
    const reject = seriesData<FlowLineDatum>(build(fixture()), FLOWMAP_IDS.reject);
    // GZ→FRA loses 2e7 of 2.02e9 bytes (0.99 %); SV→TYO is REJECT-only.
    expect(reject.find((r) => key(r) === 'ap-guangzhou>eu-frankfurt')!.lineStyle.opacity).toBe(
      0.45,
    );
    expect(reject.find((r) => key(r) === 'na-siliconvalley>ap-tokyo')!.lineStyle.opacity).toBe(1);
  });

  it('keeps the lines hoverable: no geo tooltip that series would inherit', () => {
    const o = build(fixture()) as unknown as { geo: { tooltip?: unknown } };
    expect(o.geo.tooltip).toBeUndefined();
  });

  it(`draws at most ${MAX_LINES} lines per action, the largest, and says so`, () => {
    const ids = placeRegions(Array.from({ length: 12 }, (_, i) => `zz-${i}`)).map((r) => r.id);
    const pairs: RegionPairTotals[] = [];
    for (const a of ids)
      for (const b of ids) if (a !== b) pairs.push(pair(a, b, 1e6 + pairs.length));
    const o = build([win(0, pairs)], ids);
    const lines = seriesData<FlowLineDatum>(o, FLOWMAP_IDS.accept);
    expect(lines).toHaveLength(MAX_LINES);
    const smallest = Math.min(...lines.map((l) => l.bytes));
    expect(pairs.filter((p) => p.acceptBytes > smallest)).toHaveLength(MAX_LINES - 1);
    expect(o.graphic.elements.find((e) => e.id === FLOWMAP_IDS.summary)!.style?.text).toContain(
      `largest ${MAX_LINES} lines`,
    );
  });

  it('counts a window once, at its highest revision', () => {
    const windows = [
      win(0, [pair('ap-guangzhou', 'ap-tokyo', 100)], 1),
      win(0, [pair('ap-guangzhou', 'ap-tokyo', 300)], 3),
      win(0, [pair('ap-guangzhou', 'ap-tokyo', 200)], 2),
    ];
    const s = summarisePairs(windows, REGIONS);
    expect(s.seconds).toBe(60);
    expect(s.pairs).toEqual([expect.objectContaining({ acceptBytes: 300 })]);
  });

  it('shows an empty state without windows and switches it off with traffic', () => {
    const empty = build([]);
    expect(empty.graphic.elements.find((e) => e.id === FLOWMAP_IDS.empty)!.invisible).toBe(false);
    expect(seriesData(empty, FLOWMAP_IDS.regions)).toHaveLength(REGIONS.length);
    expect(
      build(fixture()).graphic.elements.find((e) => e.id === FLOWMAP_IDS.empty)!.invisible,
    ).toBe(true);
  });
});

describe('regions', () => {
  it('knows the Tencent Cloud regions and never throws on others', () => {
    expect(regionInfo('ap-guangzhou')).toMatchObject({ short: 'Guangzhou', known: true });
    expect(regionInfo('na-ashburn').short).toBe('Virginia');
    const u = regionInfo('x'.repeat(100));
    expect(u.known).toBe(false);
    expect(u.short.length).toBeLessThanOrEqual(24);
    const placed = placeRegions(['a', 'ap-tokyo', 'b', 'a']);
    expect(placed.map((r) => r.id)).toEqual(['a', 'ap-tokyo', 'b']);
    expect(placed[0]!.coord).not.toEqual(placed[2]!.coord);
  });
});

describe('world map', () => {
  it('is one land feature without Antarctica', () => {
    const geo = buildWorldGeoJson();
    expect(geo.features).toHaveLength(1);
    const polygons = geo.features[0]!.geometry.coordinates;
    expect(polygons.length).toBeGreaterThan(50);
    for (const rings of polygons) {
      expect(Math.max(...rings[0]!.map((p) => p[1]!))).toBeGreaterThan(-58);
      // No edge jumps across the map (antimeridian crossings are unwrapped).
      for (const ring of rings) {
        for (let i = 1; i < ring.length; i++) {
          expect(Math.abs(ring[i]![0]! - ring[i - 1]![0]!)).toBeLessThan(180);
        }
      }
    }
  });

  it('unwraps rings across the antimeridian, keeping most of them in -180..180', () => {
    const fiji = [
      [179, -16],
      [-179.5, -16.5],
      [179.5, -17],
      [179, -16],
    ];
    expect(unwrapRing(fiji)).toEqual([
      [179, -16],
      [180.5, -16.5],
      [179.5, -17],
      [179, -16],
    ]);
    const plain = [
      [10, 10],
      [20, 10],
      [10, 10],
    ];
    expect(unwrapRing(plain)).toBe(plain);
  });
});
