import { describe, expect, it } from 'vitest';
import type { EChartsType } from 'echarts/core';
import { hasData, seriesKey } from '../../client/charts/chart-data.ts';
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
