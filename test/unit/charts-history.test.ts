// The CCN charts over a history range: the API's region-pair sums as one pseudo window, rates
// over the range's windows, and the bounds a live span's sums cover (what a click drills into).
import { describe, expect, it } from 'vitest';
import {
  buildFlowMapOption,
  FLOWMAP_IDS,
  spanLabel,
  type FlowLineDatum,
} from '../../client/charts/flowmap-option.ts';
import { buildRegionMatrix } from '../../client/charts/region-matrix.ts';
import { pseudoWindow, spanBounds, type PairRange } from '../../client/lib/regions.ts';
import { MIN, T0, win } from './client-fixtures.ts';

const range: PairRange = {
  regionPairs: [
    {
      src: 'ap-guangzhou',
      dst: 'ap-singapore',
      acceptBytes: 7_200_000,
      acceptPackets: 7_200,
      rejectBytes: 36_000,
      rejectPackets: 36,
      records: 100,
    },
  ],
  seconds: 120 * 60,
  windowMs: MIN,
  from: T0,
  to: T0 + 120 * MIN,
};
const regions = ['ap-guangzhou', 'ap-singapore'];

type Series<T> = { id: string; data: T[] };
const data = <T>(o: unknown, id: string): T[] =>
  ((o as { series: Array<Series<T>> }).series.find((s) => s.id === id)?.data ?? []) as T[];

describe('CCN charts over a history range', () => {
  it('draws the range sums with rates over its windows, and the pair sums on each element', () => {
    const w = [pseudoWindow('topic-ccn', range)];
    const map = buildFlowMapOption(w, regions, { theme: 'dark', seconds: range.seconds });
    const [reject] = data<FlowLineDatum>(map, FLOWMAP_IDS.reject);
    expect(reject).toMatchObject({
      src: 'ap-guangzhou',
      dst: 'ap-singapore',
      action: 'REJECT',
      bytes: 36_000,
      packets: 36,
      seconds: 120 * 60,
      windowMs: MIN,
    });
    const matrix = buildRegionMatrix(w, regions, { theme: 'dark', seconds: range.seconds });
    const [cell] = matrix.rows.flat().filter((c) => c !== null);
    expect(cell).toMatchObject({ src: 'ap-guangzhou', dst: 'ap-singapore', bytes: 7_236_000 });
    // bits/s over 120 windows of 60 s, not over one.
    expect(cell!.rate).toBeCloseTo((7_236_000 * 8) / (120 * 60));
    expect(spanLabel(120 * 60, MIN)).toBe('average of 120 windows (2 h)');
    expect(spanLabel(300, 5 * MIN)).toBe('1 window (5 min)');
  });

  it('gives the bounds of a live span, counted back from the newest window', () => {
    const ws = [win(0), win(1), win(5)];
    expect(spanBounds(ws, 'latest')).toEqual({ from: T0 + 5 * MIN, to: T0 + 6 * MIN });
    expect(spanBounds(ws, '15m')).toEqual({ from: T0 - 9 * MIN, to: T0 + 6 * MIN });
    expect(spanBounds([], '15m')).toBeNull();
  });
});
