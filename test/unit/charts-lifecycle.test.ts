import { describe, expect, it } from 'vitest';
import { hasData, seriesKey } from '../../client/charts/chart-data.ts';
import { buildTrafficOption } from '../../client/charts/traffic-option.ts';
import { palette, echartsTheme } from '../../client/charts/palette.ts';
import { wins } from './client-fixtures.ts';

describe('chart lifecycle helpers', () => {
  it('keys the series set by type and id, stable across data updates', () => {
    const a = buildTrafficOption(wins(2), { theme: 'dark', metric: 'bits' });
    const b = buildTrafficOption(wins(9, 3), { theme: 'light', metric: 'packets' });
    expect(seriesKey(a)).toBe(seriesKey(b));
    expect(seriesKey({ series: [{ type: 'bar', id: 'x' }] })).not.toBe(seriesKey(a));
  });
  it('tells when an option has data to show', () => {
    expect(hasData(buildTrafficOption([], { theme: 'dark', metric: 'bits' }))).toBe(false);
    expect(hasData(buildTrafficOption(wins(1), { theme: 'dark', metric: 'bits' }))).toBe(true);
    expect(hasData({ dataset: { source: [[1, 2]] } })).toBe(true);
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
