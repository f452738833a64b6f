import { describe, expect, it } from 'vitest';
import { sparkPaths } from '../../client/lib/sparkline.ts';
import { overviewTotals } from '../../client/lib/overview-stats.ts';
import { pulseFreshMs, pulseStatus } from '../../client/lib/overview-feed.svelte.ts';
import type { TopicPulse } from '../../shared/events.ts';

describe('sparkPaths', () => {
  it('scales points into the box, largest value at the top', () => {
    const { line, area } = sparkPaths(
      [
        [0, 0],
        [1, 10],
        [2, 5],
      ],
      100,
      20,
    );
    expect(line).toBe('M0.0,19.0L50.0,1.0L100.0,10.0');
    expect(area).toBe(`${line}L100.0,20L0.0,20Z`);
  });
  it('is empty without points and flat for a single one', () => {
    expect(sparkPaths([], 100, 20).line).toBe('');
    expect(sparkPaths([[5, 3]], 100, 20).line).toBe('M0,1.0L100.0,1.0');
  });
});

const pulse = (over: Partial<TopicPulse>): TopicPulse => ({
  topicId: 't',
  windowMs: 60_000,
  lastWindowStart: 0,
  lastPublishedAt: 1_000_000,
  spark: [
    [0, 600],
    [60_000, 1_200],
  ],
  rejectShare: 0.5,
  records: 10,
  ...over,
});

describe('overview figures', () => {
  it('sums the newest window rate, weights REJECT share by bytes, sums sparklines by window', () => {
    const t = overviewTotals([pulse({}), pulse({ rejectShare: 0, spark: [[60_000, 1_800]] })]);
    expect(t.bitsPerSecond).toBe((1_200 * 8) / 60 + (1_800 * 8) / 60);
    expect(t.rejectShare).toBeCloseTo(900 / 3_600);
    expect(t.spark).toEqual([
      [0, 600],
      [60_000, 3_000],
    ]);
    expect(t.records).toBe(20);
  });
  it('calls a topic stale after three windows without a publication (server time)', () => {
    expect(pulseStatus(undefined, 0)).toBe('idle');
    expect(pulseStatus(pulse({ lastPublishedAt: null }), 0)).toBe('idle');
    expect(pulseStatus(pulse({}), 1_000_000 + pulseFreshMs(pulse({})))).toBe('live');
    expect(pulseStatus(pulse({}), 1_000_001 + pulseFreshMs(pulse({})))).toBe('stale');
  });
});
