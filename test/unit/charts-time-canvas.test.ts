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
  timeTicks,
  toPixel,
  valueTicks,
} from '../../client/charts/time-canvas.ts';
import { buildTrafficOption, TRAFFIC_SERIES } from '../../client/charts/traffic-option.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
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
    expect(l.plot).toEqual({ x: 64, y: 34, w: 800 - 64 - 16, h: 300 - 34 - 22 });
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
});
