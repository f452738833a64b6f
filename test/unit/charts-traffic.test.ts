import { describe, expect, it } from 'vitest';
import {
  buildTrafficOption,
  pendingNote,
  trafficHit,
  TRAFFIC_SERIES,
} from '../../client/charts/traffic-option.ts';
import { pointsFromSeries, pointsFromWindows, type ChartPoint } from '../../client/lib/series.ts';
import type { SeriesPoint } from '../../shared/api.ts';
import { MIN, T0, win, wins } from './client-fixtures.ts';

type Series = {
  id: string;
  name: string;
  data: Array<[number, number]>;
  stack?: string;
  lineStyle: { width: number; type?: string };
};
type Axis = { axisLabel: { formatter: (v: number) => string }; min?: number; max?: number };
type Tooltip = { formatter: (p: unknown) => string };

const series = (o: ReturnType<typeof buildTrafficOption>) => o.series as unknown as Series[];
const byId = (o: ReturnType<typeof buildTrafficOption>, id: string) =>
  series(o).find((x) => x.id === id)!;
const live = (ws = wins(3)) => pointsFromWindows(ws, null);

/** A history bucket starting `i` steps after T0. */
function bucket(i: number, step: number, acceptBytes: number, rejectBytes: number): SeriesPoint {
  return {
    t: T0 + i * step,
    acceptBytes,
    acceptPackets: acceptBytes / 100,
    acceptRecords: 10,
    rejectBytes,
    rejectPackets: rejectBytes / 100,
    rejectRecords: 2,
    windows: step / MIN,
  };
}

describe('buildTrafficOption', () => {
  it('has stacked ACCEPT and REJECT series with stable ids in both modes', () => {
    const o = buildTrafficOption(live(), { theme: 'dark', metric: 'bits' });
    const s = series(o);
    expect(s.map((x) => x.id)).toEqual([
      TRAFFIC_SERIES.reject,
      TRAFFIC_SERIES.accept,
      TRAFFIC_SERIES.rejectPending,
      TRAFFIC_SERIES.acceptPending,
    ]);
    expect(new Set(s.map((x) => x.name))).toEqual(new Set(['ACCEPT', 'REJECT']));
    expect(byId(o, TRAFFIC_SERIES.accept).stack).toBe(byId(o, TRAFFIC_SERIES.reject).stack);
    // Same ids for other data, theme, metric and for history buckets: updates merge, no redraw.
    const again = buildTrafficOption(live(wins(5, 7)), { theme: 'light', metric: 'packets' });
    expect(series(again).map((x) => x.id)).toEqual(s.map((x) => x.id));
    const hist = buildTrafficOption(pointsFromSeries([bucket(0, 300_000, 1, 1)], 300_000, null), {
      theme: 'dark',
      metric: 'bits',
      step: 300_000,
      span: { from: T0, to: T0 + 3_600_000 },
    });
    expect(series(hist).map((x) => x.id)).toEqual(s.map((x) => x.id));
  });

  it('has one point per live window, in bits per second (bytes × 8 / 60)', () => {
    const ws = wins(4);
    const o = buildTrafficOption(live(ws), { theme: 'dark', metric: 'bits' });
    const accept = byId(o, TRAFFIC_SERIES.accept);
    const reject = byId(o, TRAFFIC_SERIES.reject);
    expect(accept.data).toHaveLength(4);
    expect(accept.data[0]).toEqual([ws[0]!.windowStart, (600_000 * 8) / 60]);
    expect(reject.data[3]).toEqual([ws[3]!.windowStart, (60_000 * 8) / 60]);
  });

  it('draws history buckets as bits/s over the step: bytes × 8 / step seconds', () => {
    const step = 300_000;
    const points = pointsFromSeries(
      [bucket(0, step, 3_000_000, 300_000), bucket(1, step, 1_500_000, 0)],
      step,
      null,
    );
    const span = { from: T0, to: T0 + 6 * step };
    const o = buildTrafficOption(points, { theme: 'dark', metric: 'bits', step, span });
    expect(byId(o, TRAFFIC_SERIES.accept).data).toEqual([
      [T0, (3_000_000 * 8) / 300],
      [T0 + step, (1_500_000 * 8) / 300],
    ]);
    expect(byId(o, TRAFFIC_SERIES.reject).data[0]).toEqual([T0, (300_000 * 8) / 300]);
    const p = buildTrafficOption(points, { theme: 'dark', metric: 'packets', step, span });
    expect(byId(p, TRAFFIC_SERIES.accept).data[0]![1]).toBe(30_000 / 300);
    // The axis spans the range: first bucket to the last bucket start.
    const x = o.xAxis as unknown as Axis;
    expect([x.min, x.max]).toEqual([span.from, span.to - step]);
  });

  it('fills missing history buckets with zero, so lines do not bridge gaps', () => {
    const step = 60_000;
    const points = pointsFromSeries([bucket(0, step, 100, 0), bucket(3, step, 100, 0)], step, null);
    expect(points.map((p) => p.t - T0)).toEqual([0, 60_000, 120_000, 180_000]);
    expect(points[1]!.acceptBytes).toBe(0);
    expect(points[1]!.windows).toBe(0);
  });

  it('labels the y axis in scaled units and shows the last hour in live mode', () => {
    const ws = wins(3);
    const o = buildTrafficOption(live(ws), { theme: 'dark', metric: 'bits' });
    const y = o.yAxis as unknown as Axis;
    expect(y.axisLabel.formatter(1500)).toBe('1.5 Kbps');
    expect(y.axisLabel.formatter(250_000_000)).toBe('250 Mbps');
    const x = o.xAxis as unknown as Axis;
    expect(x.max).toBe(ws[2]!.windowStart);
    expect(x.max! - x.min!).toBe(59 * MIN);
    const p = buildTrafficOption(live(ws), { theme: 'dark', metric: 'packets' });
    expect((p.yAxis as unknown as Axis).axisLabel.formatter(13_900)).toBe('13.9 Kpps');
  });

  it('draws no line for an all-zero band (a REJECT-only topic)', () => {
    const ws = [win(0, {}, 0, 5_000), win(1, {}, 0, 6_000)];
    const o = buildTrafficOption(live(ws), { theme: 'dark', metric: 'bits' });
    expect(byId(o, TRAFFIC_SERIES.accept).lineStyle.width).toBe(0);
    expect(byId(o, TRAFFIC_SERIES.reject).lineStyle.width).toBeGreaterThan(0);
  });

  it('draws incomplete trailing windows apart, dashed, joined to the last complete one', () => {
    const ws = wins(4);
    const points = pointsFromWindows(ws, ws[2]!.windowStart, ['eni-7m2k9q4d', 'eni-3h8vz1pa', 'x']);
    expect(points.map((p) => p.pending)).toEqual([false, false, true, true]);
    const o = buildTrafficOption(points, { theme: 'dark', metric: 'bits' });
    expect(byId(o, TRAFFIC_SERIES.accept).data.map(([t]) => t)).toEqual(
      ws.slice(0, 2).map((w) => w.windowStart),
    );
    const pending = byId(o, TRAFFIC_SERIES.acceptPending);
    expect(pending.data.map(([t]) => t)).toEqual(ws.slice(1).map((w) => w.windowStart));
    expect(pending.lineStyle.type).toBe('dashed');
    expect(pending.stack).not.toBe(byId(o, TRAFFIC_SERIES.accept).stack);
    expect(pendingNote(points[3]!)).toBe('2 of 3 streams reported');
    const tip = (o.tooltip as unknown as Tooltip).formatter([{ axisValue: ws[3]!.windowStart }]);
    expect(tip).toContain('2 of 3 streams reported');
  });

  it('has a tooltip with both actions for the hovered window', () => {
    const ws = wins(2);
    const o = buildTrafficOption(live(ws), { theme: 'dark', metric: 'bits' });
    const html = (o.tooltip as unknown as Tooltip).formatter([{ axisValue: ws[1]!.windowStart }]);
    expect(html).toContain('ACCEPT');
    expect(html).toContain('80 Kbps');
    expect(html).toContain('8 Kbps');
    expect(html).toContain('Revision');
    expect((o.tooltip as unknown as Tooltip).formatter([{ axisValue: 1 }])).toBe('');
  });

  it('is empty, not broken, without windows', () => {
    const s = series(buildTrafficOption([], { theme: 'dark', metric: 'bits' }));
    expect(s.every((x) => x.data.length === 0)).toBe(true);
  });
});

describe('trafficHit (click -> bucket and band)', () => {
  const points: ChartPoint[] = live(wins(3));
  const t1 = points[1]!.t;
  // Window 1: REJECT 8 Kbps at the bottom of the stack, ACCEPT 80 Kbps on top of it.
  it('finds the REJECT band at the bottom, ACCEPT above it, the whole bucket above the stack', () => {
    expect(trafficHit(points, MIN, 'bits', t1 + 10_000, 4_000)).toMatchObject({
      point: { t: t1 },
      action: 'REJECT',
    });
    expect(trafficHit(points, MIN, 'bits', t1 - 10_000, 50_000)?.action).toBe('ACCEPT');
    const above = trafficHit(points, MIN, 'bits', t1, 200_000);
    expect(above?.point.t).toBe(t1);
    expect(above?.action).toBeUndefined();
  });
  it('misses outside the data', () => {
    expect(trafficHit(points, MIN, 'bits', t1 + 10 * MIN, 1)).toBeNull();
    expect(trafficHit(points, MIN, 'bits', t1, -1)).toBeNull();
    expect(trafficHit([], MIN, 'bits', t1, 1)).toBeNull();
  });
});

describe('trafficHit with a band clicked off in the legend', () => {
  const points: ChartPoint[] = live(wins(3));
  const t1 = points[1]!.t;
  it('maps clicks to the bands drawn: ACCEPT alone sits on the axis, REJECT alone tops out lower', () => {
    // REJECT hidden: ACCEPT (80 Kbps) is the bottom band, so a click at 4 Kbps is ACCEPT's.
    expect(trafficHit(points, MIN, 'bits', t1, 4_000, 0, ['REJECT'])?.action).toBe('ACCEPT');
    // ACCEPT hidden: above REJECT's 8 Kbps is the whole bucket, not ACCEPT.
    expect(trafficHit(points, MIN, 'bits', t1, 4_000, 0, ['ACCEPT'])?.action).toBe('REJECT');
    expect(trafficHit(points, MIN, 'bits', t1, 50_000, 0, ['ACCEPT'])?.action).toBeUndefined();
  });
  it('tells the chart which names are off (legend.selected)', () => {
    const o = buildTrafficOption(points, { theme: 'dark', metric: 'bits', hidden: ['ACCEPT'] });
    expect(o.legend).toEqual({
      data: ['ACCEPT', 'REJECT'],
      selected: { ACCEPT: false, REJECT: true },
    });
  });
  it("leaves a band clicked off out of the tooltip, not the bucket's total", () => {
    const tip = (hidden: string[]) =>
      (
        buildTrafficOption(points, { theme: 'dark', metric: 'bits', hidden })
          .tooltip as unknown as Tooltip
      ).formatter([{ axisValue: t1 }]);
    // Window 1: ACCEPT 80 Kbps, REJECT 8 Kbps, 88 Kbps in all.
    expect(tip([])).toMatch(/ACCEPT.*80 Kbps.*REJECT.*8 Kbps.*Total.*88 Kbps/s);
    expect(tip(['ACCEPT'])).not.toContain('>ACCEPT<');
    expect(tip(['ACCEPT'])).toMatch(/REJECT.*8 Kbps.*Total.*88 Kbps/s);
    expect(tip(['REJECT'])).toMatch(/ACCEPT.*80 Kbps.*Total.*88 Kbps/s);
    expect(tip(['REJECT'])).not.toMatch(/>REJECT</);
  });
});

describe('trafficHit tolerance', () => {
  it('lets a thin REJECT band take clicks a few pixels high, and just under the axis', () => {
    const points = live(wins(2));
    const t = points[0]!.t;
    // REJECT is 8 Kbps; with 4 px = 20 Kbps of tolerance a click at 15 Kbps is still REJECT.
    expect(trafficHit(points, MIN, 'bits', t, 15_000, 20_000)?.action).toBe('REJECT');
    expect(trafficHit(points, MIN, 'bits', t, -5_000, 20_000)?.action).toBe('REJECT');
    expect(trafficHit(points, MIN, 'bits', t, 15_000)?.action).toBe('ACCEPT');
  });
});
