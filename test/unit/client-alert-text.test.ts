// Alerts in words and on the chart: values in their measure's unit, a rule's condition, the link
// to an episode's records, and the shaded windows of episodes.
import { describe, expect, it } from 'vitest';
import type { AlertEpisode } from '../../shared/alerts/episode.ts';
import {
  alertMarks,
  alertValue,
  episodeGroup,
  episodeHref,
  ruleCondition,
} from '../../client/lib/alert-text.ts';
import { parseUrlState } from '../../client/lib/url-state.ts';
import { buildRatioTimeOption } from '../../client/charts/ratio-option.ts';
import { buildTrafficOption } from '../../client/charts/traffic-option.ts';

const W = 300_000;
const T = 1_796_000_100_000 - (1_796_000_100_000 % W);
const episode = (over: Partial<AlertEpisode> = {}): AlertEpisode => ({
  id: 'episode-1',
  ruleId: 'rule-1',
  ruleName: 'ssh rejects',
  topicId: 'topic-eni-prod',
  group: '',
  state: 'firing',
  since: T,
  lastWindow: T + W,
  end: null,
  value: 25,
  peak: 30,
  threshold: 2,
  query: 'action:REJECT AND dstport:22',
  measure: 'records',
  op: '>',
  change: null,
  firedAt: T + 7 * W,
  ackedBy: null,
  ackedAt: null,
  silenced: false,
  ...over,
});

describe('alert text', () => {
  it('writes values in their unit', () => {
    expect(alertValue('records', 25)).toBe('25 records');
    expect(alertValue('reject_share_bytes', 0.25)).toBe('25%');
    expect(alertValue('distinct_dstports_per_src', 40)).toBe('40 ports');
    expect(alertValue('stream_silent', 1)).toBe('silent');
    expect(alertValue('bytes', 80.4, { against: 'hour', direction: 'drop' })).toBe('80%');
  });
  it('writes a rule condition', () => {
    expect(ruleCondition({ measure: 'records', op: '>', threshold: 100, windows: 2 })).toBe(
      'records > 100 records for 2 windows',
    );
    expect(
      ruleCondition({
        measure: 'bytes',
        op: '>',
        threshold: 80,
        change: { against: 'hour', direction: 'drop' },
      }),
    ).toBe('bytes drop > 80% against an hour before');
  });
  it('names the group of a per-source or per-stream episode', () => {
    expect(episodeGroup(episode())).toBe('');
    expect(
      episodeGroup(episode({ group: '198.51.100.7', measure: 'distinct_dstports_per_src' })),
    ).toBe('source 198.51.100.7');
    expect(episodeGroup(episode({ group: 'eni-1', measure: 'stream_silent' }))).toBe(
      'stream eni-1',
    );
  });
  it('links an episode to its records: its query over its windows', () => {
    const href = episodeHref(episode(), W);
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/topics/topic-eni-prod');
    expect(parseUrlState(url.search).drill).toEqual({
      from: T,
      to: T + 2 * W,
      q: 'action:REJECT AND dstport:22',
      label: 'ssh rejects: records',
    });
    // A resolved episode ends where its run did.
    const done = new URL(episodeHref(episode({ end: T + W, state: 'resolved' }), W), 'http://x');
    expect(parseUrlState(done.search).drill?.to).toBe(T + W);
  });
  it('shades each episode half a window around its window points, on both time charts', () => {
    const marks = alertMarks([episode()], W);
    expect(marks).toEqual([{ from: T - W / 2, to: T + 2 * W - W / 2, label: 'ssh rejects' }]);
    const shaded = [[{ xAxis: T - W / 2, name: 'ssh rejects' }, { xAxis: T + 1.5 * W }]];
    const first = (o: unknown) =>
      (o as { series: Array<{ markArea?: { data: unknown; silent: boolean } }> }).series[0]!
        .markArea;
    const traffic = buildTrafficOption([], { theme: 'dark', metric: 'bits', marks });
    expect(first(traffic)).toMatchObject({ silent: true, data: shaded });
    expect(first(buildRatioTimeOption([], { theme: 'dark', marks }))).toMatchObject({
      data: shaded,
    });
    // Without episodes, nothing is shaded.
    expect(first(buildTrafficOption([], { theme: 'dark', metric: 'bits' }))?.data).toEqual([]);
  });
});
