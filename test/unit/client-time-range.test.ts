// Time ranges, the URL state of a dashboard, and the step of a range.
import { describe, expect, it } from 'vitest';
import {
  absRange,
  canShiftForward,
  fromLocalInput,
  LIVE_RANGES,
  rangeLabel,
  resolveRange,
  shiftRange,
  stepFor,
  stepLabel,
  toLocalInput,
  type TimeRange,
} from '../../client/lib/time-range.ts';
import {
  formatTime,
  DEFAULT_VIEW,
  formatUrlState,
  parseTime,
  parseUrlState,
  sameView,
  SHARE_LEGEND,
  TRAFFIC_LEGEND,
  type DashboardUrlState,
} from '../../client/lib/url-state.ts';
import { buildTrafficOption } from '../../client/charts/traffic-option.ts';
import { buildRatioTimeOption } from '../../client/charts/ratio-option.ts';
import { pointsFromWindows } from '../../client/lib/series.ts';
import { MIN, T0, wins } from './client-fixtures.ts';

const H = 3_600_000;
const M = 60_000;
// A server clock 25 s into a minute, 35 min into an hour.
const NOW = T0 + 35 * M + 25_000;

describe('step selection', () => {
  it('draws a few hundred points at most: 1 min up to 6 h, 5 min up to 48 h, 1 h beyond', () => {
    expect(stepFor(0, 15 * M)).toBe(M);
    expect(stepFor(0, 6 * H)).toBe(M);
    expect(stepFor(0, 24 * H)).toBe(5 * M);
    expect(stepFor(0, 7 * 24 * H)).toBe(H);
    for (const r of LIVE_RANGES) {
      const { from, to, step } = resolveRange({ kind: 'live', name: r.name }, NOW);
      expect((to - from) / step).toBeLessThanOrEqual(360);
    }
    expect(stepLabel(M)).toBe('1 min');
    expect(stepLabel(5 * M)).toBe('5 min');
    expect(stepLabel(H)).toBe('1 h');
  });
});

describe('resolveRange', () => {
  it('ends a live range at the end of the current step bucket, whole buckets, exact length', () => {
    expect(resolveRange({ kind: 'live', name: '1h' }, NOW)).toEqual({
      from: T0 - 24 * M,
      to: T0 + 36 * M,
      step: M,
    });
    const day = resolveRange({ kind: 'live', name: '24h' }, NOW);
    expect(day.step).toBe(5 * M);
    expect(day.to).toBe(T0 + 40 * M);
    expect(day.to - day.from).toBe(24 * H);
    const week = resolveRange({ kind: 'live', name: '7d' }, NOW);
    expect([week.to, week.step]).toEqual([T0 + H, H]);
    expect(week.from % H).toBe(0);
  });
  it('takes an absolute range as it is', () => {
    expect(resolveRange({ kind: 'abs', from: T0, to: T0 + 2 * H }, NOW)).toEqual({
      from: T0,
      to: T0 + 2 * H,
      step: M,
    });
  });
  it('snaps absolute ranges to whole minutes, at least one', () => {
    expect(absRange(T0 + 10_000, T0 + 5 * M + 1)).toEqual({
      kind: 'abs',
      from: T0,
      to: T0 + 6 * M,
    });
    expect(absRange(T0 + 5 * M, T0)).toEqual({ kind: 'abs', from: T0, to: T0 + 5 * M });
    expect(absRange(T0, T0)).toEqual({ kind: 'abs', from: T0, to: T0 + M });
  });
});

describe('shiftRange', () => {
  const live: TimeRange = { kind: 'live', name: '1h' };
  it('steps back from a live range into an absolute one of the same width', () => {
    const back = shiftRange(live, -1, NOW);
    expect(back).toEqual({ kind: 'abs', from: T0 - 84 * M, to: T0 - 24 * M });
    expect(shiftRange(back, -1, NOW)).toEqual({
      kind: 'abs',
      from: T0 - 144 * M,
      to: T0 - 84 * M,
    });
  });
  it('steps forward by the width, and back into live when it reaches now', () => {
    const back2 = { kind: 'abs' as const, from: T0 - 144 * M, to: T0 - 84 * M };
    expect(shiftRange(back2, 1, NOW)).toEqual({ kind: 'abs', from: T0 - 84 * M, to: T0 - 24 * M });
    expect(shiftRange({ kind: 'abs', from: T0 - 84 * M, to: T0 - 24 * M }, 1, NOW)).toEqual(live);
    // A width no live range has ends at now instead.
    expect(shiftRange({ kind: 'abs', from: T0 - 20 * M, to: T0 }, 1, NOW)).toEqual({
      kind: 'abs',
      from: T0,
      to: T0 + 20 * M,
    });
    expect(shiftRange({ kind: 'abs', from: T0 + 10 * M, to: T0 + 30 * M }, 1, NOW)).toEqual({
      kind: 'abs',
      from: T0 + 16 * M,
      to: T0 + 36 * M,
    });
    expect(shiftRange(live, 1, NOW)).toBe(live);
    expect(canShiftForward(live)).toBe(false);
    expect(canShiftForward(back2)).toBe(true);
  });
});

describe('labels and inputs', () => {
  it('labels ranges for people', () => {
    expect(rangeLabel({ kind: 'live', name: '24h' })).toBe('Last 24 h');
    const from = new Date(2026, 10, 21, 13, 0).getTime();
    expect(rangeLabel({ kind: 'abs', from, to: from + H })).toBe('21 Nov 13:00 – 14:00');
    expect(rangeLabel({ kind: 'abs', from, to: from + 24 * H })).toBe(
      '21 Nov 13:00 – 22 Nov 13:00',
    );
  });
  it('round-trips datetime-local values in the browser time zone', () => {
    const t = new Date(2026, 10, 21, 9, 5).getTime();
    expect(toLocalInput(t)).toBe('2026-11-21T09:05');
    expect(fromLocalInput('2026-11-21T09:05')).toBe(t);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('nonsense')).toBeNull();
  });
});

describe('URL state', () => {
  const state = (over: Partial<DashboardUrlState>): DashboardUrlState => ({
    range: { kind: 'live', name: '1h' },
    q: '',
    drill: null,
    view: { ...DEFAULT_VIEW },
    ...over,
  });

  it('defaults to the live hour and writes nothing for it', () => {
    expect(parseUrlState('')).toEqual(state({}));
    expect(parseUrlState('?range=bogus')).toEqual(state({}));
    expect(formatUrlState(state({}))).toBe('');
  });

  it('writes live ranges by name and absolute ones as ISO times', () => {
    expect(formatUrlState(state({ range: { kind: 'live', name: '7d' } }))).toBe('?range=7d');
    const abs = { kind: 'abs' as const, from: T0, to: T0 + H };
    expect(formatUrlState(state({ range: abs }))).toBe(
      '?from=2026-11-21T13:00:00Z&to=2026-11-21T14:00:00Z',
    );
    // Epoch milliseconds are accepted too, and an absolute range wins over `range`.
    expect(parseUrlState(`?range=15m&from=${T0}&to=${T0 + H}`).range).toEqual(abs);
    expect(parseUrlState('?from=2026-11-21T14:00:00Z&to=2026-11-21T13:00:00Z').range).toEqual({
      kind: 'live',
      name: '1h',
    });
  });

  it('round-trips range, filter and drill-down, readable, keeping foreign parameters', () => {
    const s = state({
      range: { kind: 'abs', from: T0, to: T0 + 6 * H },
      q: 'srcaddr:10.0.0.0/8 AND (dstport:>1024 OR action:REJECT) AND "a b"+c&d=e',
      drill: {
        from: T0 + 5 * M,
        to: T0 + 6 * M,
        q: 'action:REJECT AND srcaddr:10.0.1.5',
        label: 'REJECT in the bucket at 2026-11-21T13:05:00.000Z',
      },
    });
    const search = formatUrlState(s, '?wall=1&range=24h&q=old');
    expect(search).toContain('q=srcaddr:10.0.0.0/8%20AND%20');
    expect(search).toContain(`drill=${T0 + 5 * M},${T0 + 6 * M}`);
    expect(search).toContain('dq=action:REJECT%20AND%20srcaddr:10.0.1.5');
    expect(search.endsWith('&wall=1')).toBe(true);
    expect(search).not.toContain('range=');
    expect(parseUrlState(search)).toEqual(s);
    for (const q of ['a+b', '100%', 'x&y=z', 'ünïcode', '#hash', '[1 TO 2]']) {
      expect(parseUrlState(formatUrlState(state({ q }))).q).toBe(q);
    }
  });

  it("keeps the panels' choices, each written only when not its default, in a fixed order", () => {
    const view = {
      metric: 'packets' as const,
      top: '15m' as const,
      table: 'conversations' as const,
      map: 'latest' as const,
      matrix: '60m' as const,
      trafficHidden: ['REJECT'],
      shareHidden: ['by packets', 'by bytes'],
    };
    const search = formatUrlState(state({ view }), '?wall=1');
    expect(search).toBe(
      '?metric=packets&top=15m&table=conversations&map=latest&matrix=60m' +
        '&hide=REJECT,by%20bytes,by%20packets&wall=1',
    );
    const back = parseUrlState(search).view;
    expect(back).toEqual({ ...view, shareHidden: ['by bytes', 'by packets'] });
    expect(sameView(back, view)).toBe(true);
    expect(sameView(back, { ...view, trafficHidden: [] })).toBe(false);
    expect(sameView(back, { ...view, metric: 'bits' })).toBe(false);
    // One choice back to its default leaves its parameter out.
    expect(formatUrlState(state({ view: { ...DEFAULT_VIEW, top: '60m' } }))).toBe('?top=60m');
  });

  it('takes only known choices and legend names from a hand-edited URL', () => {
    const v = parseUrlState(
      '?metric=bytes&top=2h&table=rows&map=&matrix=15m&hide=ACCEPT,,<b>x</b>,ACCEPT, by packets',
    ).view;
    expect(v).toEqual({ ...DEFAULT_VIEW, trafficHidden: ['ACCEPT'], shareHidden: ['by packets'] });
    expect(formatUrlState(state({ view: v }))).toBe('?hide=ACCEPT,by%20packets');
  });

  it("names the time charts' legend series as their legends do", () => {
    const points = pointsFromWindows(wins(3, 1), MIN);
    const traffic = buildTrafficOption(points, { theme: 'dark', metric: 'bits' });
    const share = buildRatioTimeOption(points, { theme: 'dark', step: MIN });
    const names = (o: { legend?: unknown }) => (o.legend as { data: string[] }).data;
    expect(names(traffic)).toEqual([...TRAFFIC_LEGEND]);
    expect(names(share)).toEqual([...SHARE_LEGEND]);
  });

  it('drops a malformed drill-down', () => {
    expect(parseUrlState('?drill=5,3').drill).toBeNull();
    expect(parseUrlState('?drill=abc&dq=x').drill).toBeNull();
    expect(parseUrlState(`?drill=${T0},${T0 + M}`).drill).toEqual({
      from: T0,
      to: T0 + M,
      q: '',
      label: '',
    });
  });

  it('parses and prints times', () => {
    expect(parseTime('2026-11-21T13:00:00Z')).toBe(T0);
    expect(parseTime(String(T0))).toBe(T0);
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime(null)).toBeNull();
    expect(formatTime(T0)).toBe('2026-11-21T13:00:00Z');
    expect(formatTime(T0 + 5)).toBe('2026-11-21T13:00:00.005Z');
  });
});
