import { describe, expect, it } from 'vitest';
import { buildTrafficOption, TRAFFIC_SERIES } from '../../client/charts/traffic-option.ts';
import { MIN, win, wins } from './client-fixtures.ts';

type Series = {
  id: string;
  name: string;
  data: Array<[number, number]>;
  stack?: string;
  lineStyle: { width: number };
};
type Axis = { axisLabel: { formatter: (v: number) => string }; min?: number; max?: number };
type Tooltip = { formatter: (p: unknown) => string };

const series = (o: ReturnType<typeof buildTrafficOption>) => o.series as unknown as Series[];

describe('buildTrafficOption', () => {
  it('has stacked ACCEPT and REJECT series with stable ids', () => {
    const o = buildTrafficOption(wins(3), { theme: 'dark', metric: 'bits' });
    const s = series(o);
    expect(s.map((x) => x.id).sort()).toEqual(
      [TRAFFIC_SERIES.accept, TRAFFIC_SERIES.reject].sort(),
    );
    expect(s.map((x) => x.name).sort()).toEqual(['ACCEPT', 'REJECT']);
    expect(new Set(s.map((x) => x.stack)).size).toBe(1);
    // Same ids for other data, theme and metric: updates merge instead of redrawing.
    const again = buildTrafficOption(wins(5, 7), { theme: 'light', metric: 'packets' });
    expect(series(again).map((x) => x.id)).toEqual(s.map((x) => x.id));
  });

  it('has one point per window, in bits per second (bytes × 8 / 60)', () => {
    const ws = wins(4);
    const s = series(buildTrafficOption(ws, { theme: 'dark', metric: 'bits' }));
    const accept = s.find((x) => x.name === 'ACCEPT')!;
    const reject = s.find((x) => x.name === 'REJECT')!;
    expect(accept.data).toHaveLength(4);
    expect(accept.data[0]).toEqual([ws[0]!.windowStart, (600_000 * 8) / 60]);
    expect(reject.data[3]).toEqual([ws[3]!.windowStart, (60_000 * 8) / 60]);
  });

  it('switches to packets per second', () => {
    const s = series(buildTrafficOption([win(0)], { theme: 'dark', metric: 'packets' }));
    expect(s.find((x) => x.name === 'ACCEPT')!.data[0]![1]).toBe(6_000 / 60);
  });

  it('labels the y axis in scaled units and shows the last hour', () => {
    const ws = wins(3);
    const o = buildTrafficOption(ws, { theme: 'dark', metric: 'bits' });
    const y = o.yAxis as unknown as Axis;
    expect(y.axisLabel.formatter(1500)).toBe('1.5 Kbps');
    expect(y.axisLabel.formatter(250_000_000)).toBe('250 Mbps');
    const x = o.xAxis as unknown as Axis;
    expect(x.max).toBe(ws[2]!.windowStart);
    expect(x.max! - x.min!).toBe(59 * MIN);
    const p = buildTrafficOption(ws, { theme: 'dark', metric: 'packets' });
    expect((p.yAxis as unknown as Axis).axisLabel.formatter(13_900)).toBe('13.9 Kpps');
  });

  it('draws no line for an all-zero band (a REJECT-only topic)', () => {
    const ws = [win(0, {}, 0, 5_000), win(1, {}, 0, 6_000)];
    const s = series(buildTrafficOption(ws, { theme: 'dark', metric: 'bits' }));
    expect(s.find((x) => x.name === 'ACCEPT')!.lineStyle.width).toBe(0);
    expect(s.find((x) => x.name === 'REJECT')!.lineStyle.width).toBeGreaterThan(0);
  });

  it('has a tooltip with both actions for the hovered window', () => {
    const ws = wins(2);
    const o = buildTrafficOption(ws, { theme: 'dark', metric: 'bits' });
    const html = (o.tooltip as unknown as Tooltip).formatter([{ axisValue: ws[1]!.windowStart }]);
    expect(html).toContain('ACCEPT');
    expect(html).toContain('80 Kbps');
    expect(html).toContain('8 Kbps');
    expect((o.tooltip as unknown as Tooltip).formatter([{ axisValue: 1 }])).toBe('');
  });

  it('is empty, not broken, without windows', () => {
    const s = series(buildTrafficOption([], { theme: 'dark', metric: 'bits' }));
    expect(s.every((x) => x.data.length === 0)).toBe(true);
  });
});
