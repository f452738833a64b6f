import { describe, expect, it, vi } from 'vitest';
import {
  cancelDraw,
  FRAME_BUDGET_MS,
  pendingDraws,
  queueDraw,
} from '../../client/charts/draw-queue.ts';
import type { EChartsCoreOption, EChartsType } from 'echarts/core';
import {
  FunctionSlots,
  hasData,
  optionChanges,
  optionParts,
  sameParts,
  seriesKey,
  type OptionParts,
} from '../../client/charts/chart-data.ts';
import { registerChart } from '../../client/charts/chart-registry.ts';
import { buildTrafficOption } from '../../client/charts/traffic-option.ts';
import { palette, echartsTheme } from '../../client/charts/palette.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { wins } from './client-fixtures.ts';

describe('chart lifecycle helpers', () => {
  it('keys the series set by type and id, stable across data updates', () => {
    const a = buildTrafficOption(pointsFromWindows(wins(2), null), {
      theme: 'dark',
      metric: 'bits',
    });
    const b = buildTrafficOption(pointsFromWindows(wins(9, 3), null), {
      theme: 'light',
      metric: 'packets',
    });
    expect(seriesKey(a)).toBe(seriesKey(b));
    expect(seriesKey({ series: [{ type: 'bar', id: 'x' }] })).not.toBe(seriesKey(a));
  });
  it('tells when an option has data to show', () => {
    expect(hasData(buildTrafficOption([], { theme: 'dark', metric: 'bits' }))).toBe(false);
    expect(
      hasData(
        buildTrafficOption(pointsFromWindows(wins(1), null), { theme: 'dark', metric: 'bits' }),
      ),
    ).toBe(true);
    expect(hasData({ dataset: { source: [[1, 2]] } })).toBe(true);
  });
  it('merges only the components a live update changed', () => {
    const at = (n: number) =>
      buildTrafficOption(pointsFromWindows(wins(n), null), { theme: 'dark', metric: 'bits' });
    const changes = (option: EChartsCoreOption, drawn: OptionParts) =>
      optionChanges(option, optionParts(option), drawn);
    const five = optionParts(at(5));
    // The first draw is the whole option.
    expect(Object.keys(changes(at(5), new Map())!).sort()).toEqual(Object.keys(at(5)).sort());
    // The same option again: nothing to draw.
    expect(sameParts(optionParts(at(5)), five)).toBe(true);
    expect(changes(at(5), five)).toBeNull();
    // One more window: the series and the time axis change; the legend, grid, value axis and
    // tooltip are not merged again.
    const next = changes(at(6), five)!;
    expect(sameParts(optionParts(at(6)), five)).toBe(false);
    expect(Object.keys(next).sort()).toEqual(['series', 'xAxis']);
    expect(next.series).toEqual(at(6).series);
    // A component that left the option is not asked for (ECharts' merge keeps it, as before).
    const plain = { series: [{ id: 'a', data: [1] }], title: { text: 'x' } };
    expect(changes({ series: [{ id: 'a', data: [2] }] }, optionParts(plain))).toEqual({
      series: [{ id: 'a', data: [2] }],
    });
  });
});

describe('function slots', () => {
  type Tip = { tooltip: { formatter: (p: unknown) => string } };
  it('keep one stand-in per place that answers with the newest function given there', () => {
    const slots = new FunctionSlots();
    const option = (n: number) =>
      buildTrafficOption(pointsFromWindows(wins(n), null), { theme: 'dark', metric: 'bits' });
    const first = slots.bind(option(5)) as unknown as Tip;
    const second = slots.bind(option(6)) as unknown as Tip;
    // The chart keeps the first stand-in; it reads the sixth window, which only the second
    // option's formatter knows.
    expect(second.tooltip.formatter).toBe(first.tooltip.formatter);
    const sixth = pointsFromWindows(wins(6), null).at(-1)!;
    expect(first.tooltip.formatter([{ axisValue: sixth.t }])).toContain('ACCEPT');
    expect((option(5) as unknown as Tip).tooltip.formatter([{ axisValue: sixth.t }])).toBe('');
  });
  it('copy only what leads to a function, and leave data as it is', () => {
    const slots = new FunctionSlots();
    const data = [
      [1, 2],
      [3, 4],
    ];
    const option = { series: [{ id: 'a', data }], yAxis: { axisLabel: { formatter: String } } };
    const bound = slots.bind(option);
    expect(bound.series).toBe(option.series);
    expect(bound.yAxis).not.toBe(option.yAxis);
    expect(bound.yAxis.axisLabel.formatter).not.toBe(String);
    expect(bound.yAxis.axisLabel.formatter(5)).toBe('5');
    expect(option.yAxis.axisLabel.formatter).toBe(String);
  });
});

describe('chart registry (test hook)', () => {
  it('registers an instance under its testid and forgets it on dispose', () => {
    const g = globalThis as { window?: unknown };
    const had = 'window' in g;
    g.window ??= {};
    try {
      const chart = {} as EChartsType;
      const other = {} as EChartsType;
      const off = registerChart('chart-top', chart);
      expect(window.__flowdeckCharts?.get('chart-top')).toBe(chart);
      // A newer chart under the same id is not removed by the old one's dispose.
      const offOther = registerChart('chart-top', other);
      off();
      expect(window.__flowdeckCharts?.get('chart-top')).toBe(other);
      offOther();
      expect(window.__flowdeckCharts?.has('chart-top')).toBe(false);
      registerChart(undefined, chart)();
    } finally {
      if (!had) delete g.window;
    }
  });
});

describe('palette', () => {
  it('gives both themes distinct ACCEPT and REJECT colours and a registered theme name', () => {
    for (const t of ['dark', 'light'] as const) {
      expect(palette(t).accept).not.toBe(palette(t).reject);
      expect(echartsTheme(t)).toBe(`flowdeck-${t}`);
    }
  });
});

describe('draw queue', () => {
  /** Frames run by hand; `clock` is what performance.now() answers. */
  function frames() {
    const callbacks: Array<() => void> = [];
    const g = globalThis as { requestAnimationFrame?: unknown };
    const had = g.requestAnimationFrame;
    g.requestAnimationFrame = (cb: () => void) => callbacks.push(cb);
    const clock = { now: 0 };
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock.now);
    return {
      clock,
      run(): number {
        const due = callbacks.splice(0);
        for (const cb of due) cb();
        return due.length;
      },
      restore() {
        g.requestAnimationFrame = had;
        now.mockRestore();
      },
    };
  }

  it('draws in the next frame, splits a heavy update over frames, keeps only the newest draw', () => {
    const f = frames();
    try {
      const drawn: string[] = [];
      const heavy = (name: string) => () => {
        drawn.push(name);
        f.clock.now += FRAME_BUDGET_MS; // each draw uses up a frame's budget
      };
      const [a, b, c] = [{}, {}, {}];
      queueDraw(a, heavy('a1'));
      queueDraw(b, heavy('b1'));
      queueDraw(c, heavy('c1'));
      queueDraw(a, heavy('a2')); // replaces a1, keeps its place
      expect(drawn).toEqual([]);
      expect(pendingDraws()).toBe(3);
      f.run();
      expect(drawn).toEqual(['a2']);
      cancelDraw(c); // its chart went away
      f.run();
      expect(drawn).toEqual(['a2', 'b1']);
      expect(f.run()).toBe(0); // nothing left, no frame asked for
      expect(pendingDraws()).toBe(0);

      // Light draws share one frame.
      const light = (name: string) => () => drawn.push(name);
      queueDraw(a, light('a3'));
      queueDraw(b, light('b2'));
      f.run();
      expect(drawn.slice(2)).toEqual(['a3', 'b2']);
    } finally {
      f.restore();
    }
  });

  it('keeps drawing the others when one draw throws', () => {
    const f = frames();
    try {
      const drawn: string[] = [];
      queueDraw({}, () => {
        throw new Error('bad option');
      });
      queueDraw({}, () => drawn.push('next'));
      expect(() => f.run()).toThrow('bad option');
      f.run();
      expect(drawn).toEqual(['next']);
    } finally {
      f.restore();
    }
  });
});
