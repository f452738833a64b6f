// The time charts' own layout (time-canvas.ts): round value axes, local-time ticks and labels,
// stacked bands as the option asks, and pixels that map back to the data they came from.
import { describe, expect, it } from 'vitest';
import {
  fromPixel,
  inPlot,
  layoutTimeChart,
  nearestT,
  niceInterval,
  timeLabel,
  timeLegend,
  timeScene,
  timeTicks,
  toPixel,
  valueTicks,
} from '../../client/charts/time-canvas.ts';
import { buildTrafficOption, TRAFFIC_SERIES } from '../../client/charts/traffic-option.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { palette } from '../../client/charts/palette.ts';
import { wins } from './client-fixtures.ts';

const MIN = 60_000;

describe('time chart layout', () => {
  it('picks round value steps and an axis end above the data', () => {
    expect(niceInterval(0.7)).toBe(1);
    expect(niceInterval(1.8)).toBe(2);
    expect(niceInterval(31)).toBe(30);
    expect(niceInterval(4.6e7)).toBe(5e7);
    expect(niceInterval(0.03)).toBe(0.03);
    expect(valueTicks(183e6, { splitNumber: 4 })).toEqual({
      max: 2e8,
      ticks: [0, 5e7, 1e8, 1.5e8, 2e8],
    });
    // The option's own end and step (the REJECT share axis) win.
    expect(valueTicks(0.004, { max: 0.01, interval: 0.0025 }).ticks).toEqual([
      0, 0.0025, 0.005, 0.0075, 0.01,
    ]);
    // No traffic: a unit axis, not a collapsed one.
    expect(valueTicks(0, { splitNumber: 4 }).max).toBeGreaterThan(0);
  });

  it('puts time ticks on local round minutes, as many as the width allows', () => {
    const t0 = new Date(2026, 11, 3, 6, 51).getTime();
    const t1 = t0 + 59 * MIN;
    const ticks = timeTicks(t0, t1, 760, 6);
    // Every 5 minutes from 06:55 on.
    expect(ticks.map((t) => timeLabel(t))).toEqual([
      '06:55',
      '07:00',
      '07:05',
      '07:10',
      '07:15',
      '07:20',
      '07:25',
      '07:30',
      '07:35',
      '07:40',
      '07:45',
      '07:50',
    ]);
    // Four splits on a narrow chart: every 10 minutes.
    expect(timeTicks(t0, t1, 300, 4).map((t) => timeLabel(t))[0]).toBe('07:00');
    expect(timeTicks(t0, t1, 300, 4)).toHaveLength(6);
    // A week: the day at midnight, the time elsewhere.
    const day = { day: '{d} {MMM}', hour: '{HH}:{mm}', minute: '{HH}:{mm}' };
    expect(timeLabel(new Date(2026, 11, 3).getTime(), day)).toBe('3 Dec');
    expect(timeLabel(new Date(2026, 11, 3, 12).getTime(), day)).toBe('12:00');
  });

  it('stacks ACCEPT on REJECT as the traffic option asks, and maps pixels both ways', () => {
    const points = pointsFromWindows(wins(6), null);
    const option = buildTrafficOption(points, { theme: 'dark', metric: 'bits' });
    const l = layoutTimeChart(option as never, 800, 300);
    expect(l.plot).toEqual({ x: 64, y: 14, w: 800 - 64 - 16, h: 300 - 14 - 22 });
    const reject = l.series.find((s) => s.series.id === TRAFFIC_SERIES.reject)!;
    const accept = l.series.find((s) => s.series.id === TRAFFIC_SERIES.accept)!;
    // ACCEPT's band starts where REJECT's ends, bucket by bucket.
    accept.points.forEach(([t, lo], i) => {
      expect(reject.points[i]![0]).toBe(t);
      expect(lo).toBe(reject.points[i]![2]);
    });
    // The axis holds the tallest stack.
    expect(l.yMax).toBeGreaterThanOrEqual(Math.max(...accept.points.map((p) => p[2])));
    const [t, , hi] = accept.points[2]!;
    const [x, y] = toPixel(l, t, hi / 2);
    expect(inPlot(l, x, y)).toBe(true);
    const [t2, v2] = fromPixel(l, x, y);
    expect(t2).toBeCloseTo(t, 3);
    expect(v2).toBeCloseTo(hi / 2, 3);
    // A pointer a few pixels off a bucket is about that bucket.
    expect(nearestT(l, x + 3)).toBe(t);
    expect(inPlot(l, 10, 10)).toBe(false);
  });

  it('leaves a series clicked off in the legend out of the stack and the value axis', () => {
    const points = pointsFromWindows(wins(6), null);
    const both = buildTrafficOption(points, { theme: 'dark', metric: 'bits' });
    const rejectOnly = buildTrafficOption(points, {
      theme: 'dark',
      metric: 'bits',
      hidden: ['ACCEPT'],
    });
    const a = layoutTimeChart(both as never, 800, 300);
    const b = layoutTimeChart(rejectOnly as never, 800, 300);
    expect(a.series.map((s) => s.series.name)).toContain('ACCEPT');
    expect(b.series.map((s) => s.series.name)).toEqual(['REJECT', 'REJECT']);
    // The axis fits REJECT alone: a tenth of the traffic here.
    expect(b.yMax).toBeLessThan(a.yMax / 5);
    expect(timeScene(b, rejectOnly as never, palette('dark')).bands).toHaveLength(
      b.series.filter((s) => s.points.length > 0).length,
    );
  });

  it('makes a scene of plain data: pixels of the bands, the labels of the formatters; and the legend', () => {
    const points = pointsFromWindows(wins(6), null);
    const marks = [{ from: points[1]!.t, to: points[3]!.t, label: 'REJECT spike' }];
    const option = buildTrafficOption(points, { theme: 'dark', metric: 'bits', marks });
    const l = layoutTimeChart(option as never, 800, 300);
    const p = palette('dark');
    const scene = timeScene(l, option as never, p);
    // Nothing in it but data: a worker can be sent it as it is.
    expect(structuredClone(scene)).toEqual(scene);
    expect(JSON.stringify(scene)).not.toContain('function');

    // Each band's upper edge is its stacked points in pixels; its area closes along the band under it.
    const accept = l.series.find((s) => s.series.id === TRAFFIC_SERIES.accept)!;
    const band = scene.bands[l.series.indexOf(accept)]!;
    accept.points.forEach(([t, lo, hi], i) => {
      const [x, y] = toPixel(l, t, hi);
      expect(band.top[2 * i]).toBeCloseTo(x, 6);
      expect(band.top[2 * i + 1]).toBeCloseTo(y, 6);
      // The lower edge runs back, right to left.
      const back = accept.points.length - 1 - i;
      expect(band.bottom![2 * back + 1]).toBeCloseTo(toPixel(l, t, lo)[1], 6);
    });
    expect(band.area).toEqual({ color: p.acceptFill, opacity: 1 });
    expect(band.line).toMatchObject({ color: p.accept, dashed: false });

    // The value labels are the option's formatter's; the split lines sit on half pixels.
    const format = (option as { yAxis: { axisLabel: { formatter: (v: number) => string } } }).yAxis
      .axisLabel.formatter;
    expect(scene.yTicks.map((t) => t.label)).toEqual(l.yTicks.map(format));
    expect(scene.yTicks.every((t) => t.y % 1 === 0.5)).toBe(true);
    expect(scene.xTicks.map((t) => t.label)).toEqual(l.xTicks.map((t) => timeLabel(t)));
    // The alert window is shaded over its span, behind the plot.
    expect(scene.marks).toHaveLength(1);
    expect(scene.marks[0]!.x).toBeCloseTo(toPixel(l, points[1]!.t, 0)[0], 6);
    expect(scene.marks[0]!.x + scene.marks[0]!.w).toBeCloseTo(toPixel(l, points[3]!.t, 0)[0], 6);
    expect(timeLegend(option as never, p)).toEqual([
      { name: 'ACCEPT', color: p.accept, swatch: 'band', dashed: false },
      { name: 'REJECT', color: p.reject, swatch: 'band', dashed: false },
    ]);
    expect(scene.note).toBeNull();

    // No traffic: no bands with points of their own, and the empty note.
    const empty = buildTrafficOption([], {
      theme: 'dark',
      metric: 'bits',
      emptyText: 'Nothing yet',
    });
    const none = timeScene(layoutTimeChart(empty as never, 800, 300), empty as never, p);
    expect(none.bands).toEqual([]);
    expect(none.note).toBe('Nothing yet');
  });
});
