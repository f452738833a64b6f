// What the page posts to a chart's worker, and the option it keeps as drawn (worker-chart.ts).
import { describe, expect, it } from 'vitest';
import { mergeOption, postable } from '../../client/charts/worker-chart.ts';

describe('postable', () => {
  it('leaves out functions and the tooltip, keeping the rest as it is', () => {
    const option = {
      tooltip: { formatter: () => '<b>x</b>', appendTo: {} },
      geo: { id: 'world', projection: { project: (p: number[]) => p }, boundingCoords: [[1, 2]] },
      series: [
        {
          id: 'regions',
          label: { formatter: '{b}', color: '#fff' },
          data: [{ name: 'GZ', value: [113, 23, 5] }],
        },
        { id: 'lines', symbol: ['none', 'arrow'], data: [] },
      ],
    };
    const posted = postable(option);
    expect(posted).toEqual({
      geo: { id: 'world', projection: {}, boundingCoords: [[1, 2]] },
      series: option.series,
    });
    // The posted option survives a structured clone (what postMessage does).
    expect(structuredClone(posted)).toEqual(posted);
    expect(() => structuredClone(option)).toThrow();
  });
});

describe('mergeOption', () => {
  it('merges component lists by id, and replaces the rest', () => {
    const drawn = {
      animation: false,
      geo: { id: 'world', show: false, left: 8 },
      series: [
        { id: 'a', data: [1] },
        { id: 'b', data: [2] },
      ],
    };
    const merged = mergeOption(drawn, {
      geo: { left: 12 },
      series: [
        { id: 'b', data: [3] },
        { id: 'c', data: [4] },
      ],
    });
    expect(merged).toEqual({
      animation: false,
      geo: { id: 'world', show: false, left: 12 },
      series: [
        { id: 'a', data: [1] },
        { id: 'b', data: [3] },
        { id: 'c', data: [4] },
      ],
    });
    // A list ECharts replaces (replaceMerge) is taken whole.
    expect(mergeOption(drawn, { series: [{ id: 'c', data: [4] }] }, ['series']).series).toEqual([
      { id: 'c', data: [4] },
    ]);
    expect(drawn.series).toHaveLength(2);
  });
});
