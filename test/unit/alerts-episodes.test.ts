// One rule's episodes from the measure of each window revision: thresholds, consecutive windows,
// late revisions that must not notify twice, missing windows, and change rules.
import { describe, expect, it } from 'vitest';
import { RuleSeries } from '../../server/alerts/episodes.ts';
import { changePercent, ruleInputSchema } from '../../shared/alerts/rule.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 3, 8, 0);
const at = (i: number) => T0 + i * MIN;

function series(needed = 1, over: Partial<ConstructorParameters<typeof RuleSeries>[0]> = {}) {
  return new RuleSeries({ windowMs: MIN, op: '>', threshold: 100, needed, missingAs: 0, ...over });
}

describe('alert episodes', () => {
  it('fires once when the threshold is crossed, and resolves once when it no longer is', () => {
    const s = series();
    expect(s.observe(at(0), 50)).toEqual([]);
    expect(s.state).toBe('ok');
    const fired = s.observe(at(1), 150);
    expect(fired).toEqual([
      { kind: 'firing', episode: 1, windowStart: at(1), value: 150, peak: 150, since: at(1) },
    ]);
    expect(s.observe(at(2), 300)).toEqual([]);
    expect(s.state).toBe('firing');
    expect(s.observe(at(3), 20)).toEqual([
      { kind: 'resolved', episode: 1, windowStart: at(3), value: 20, peak: 300, since: at(1) },
    ]);
    expect(s.state).toBe('ok');
    // A new crossing is a new episode.
    expect(s.observe(at(4), 101)[0]).toMatchObject({ kind: 'firing', episode: 2 });
  });

  it('waits for the consecutive windows it needs, pending meanwhile', () => {
    const s = series(3);
    expect(s.observe(at(0), 150)).toEqual([]);
    expect(s.state).toBe('pending');
    expect(s.observe(at(1), 150)).toEqual([]);
    expect(s.observe(at(2), 90)).toEqual([]);
    expect(s.state).toBe('ok');
    s.observe(at(3), 150);
    s.observe(at(4), 150);
    expect(s.observe(at(5), 200)).toEqual([
      expect.objectContaining({ kind: 'firing', since: at(3), peak: 200 }),
    ]);
  });

  it('does not notify twice when late revisions move the outcome back and forth', () => {
    const s = series(2);
    s.observe(at(0), 150);
    expect(s.observe(at(1), 150)).toHaveLength(1);
    // A late revision of window 0 takes it under: the run is one window, the episode resolves.
    expect(s.observe(at(0), 80)).toEqual([expect.objectContaining({ kind: 'resolved' })]);
    // Another revision of window 0 puts it back: the same episode, reopened (said to the caller,
    // so the alert shows firing again), not a second firing notice.
    expect(s.observe(at(0), 160)).toEqual([
      expect.objectContaining({ kind: 'reopened', episode: 1, since: at(0) }),
    ]);
    expect(s.state).toBe('firing');
    // A revision of the newest window that keeps it above the threshold: nothing to tell.
    expect(s.observe(at(1), 400)).toEqual([]);
    expect(s.observe(at(2), 10)).toEqual([
      expect.objectContaining({ kind: 'resolved', episode: 1, peak: 400, repeat: true }),
    ]);
  });

  it('counts a missing window as 0 for sums and as unknown for shares', () => {
    const drop = series(2, { op: '<', threshold: 10, missingAs: 0 });
    drop.observe(at(0), 100);
    // Windows 1 and 2 never published (no records): 0 bytes twice, a drop that fires.
    expect(drop.observe(at(3), 5)).toEqual([
      expect.objectContaining({ kind: 'firing', since: at(1), peak: 0 }),
    ]);
    const share = series(2, { threshold: 0.2, missingAs: null });
    share.observe(at(0), 0.5);
    // Window 1 is missing: the run breaks, one window holding is not two.
    expect(share.observe(at(2), 0.6)).toEqual([]);
    expect(share.state).toBe('pending');
    expect(share.observe(at(3), 0.7)).toHaveLength(1);
  });

  it('judges a change against a baseline, never against nothing', () => {
    expect(changePercent('drop', 20, 100)).toBe(80);
    expect(changePercent('spike', 300, 100)).toBe(200);
    expect(changePercent('drop', 0, 0)).toBeNull();
    expect(changePercent('drop', 5, null)).toBeNull();
    // A change series: no baseline is unknown, and breaks the run.
    const s = series(2, { threshold: 50, missingAs: null });
    s.observe(at(0), changePercent('drop', 10, 100));
    expect(s.observe(at(1), changePercent('drop', 10, null))).toEqual([]);
    expect(s.observe(at(2), changePercent('drop', 10, 100))).toEqual([]);
    expect(s.observe(at(3), changePercent('drop', 40, 100))).toEqual([
      expect.objectContaining({ kind: 'firing', value: 60 }),
    ]);
  });
});

describe('alert rule input', () => {
  it('takes the example rule and fills its defaults', () => {
    const r = ruleInputSchema.parse({
      topicId: 'topic-eni-prod',
      name: 'ssh rejects',
      query: 'action:REJECT AND dstport:22',
      measure: 'records',
      op: '>',
      threshold: 100,
      windows: 2,
    });
    expect(r).toMatchObject({ windows: 2, enabled: true, query: 'action:REJECT AND dstport:22' });
    expect(
      ruleInputSchema.parse({ topicId: 't', name: 'x', measure: 'bytes', op: '<', threshold: 1 }),
    ).toMatchObject({ windows: 1, query: '' });
  });

  it('says what is wrong, field by field', () => {
    const r = ruleInputSchema.safeParse({
      topicId: 't',
      name: ' ',
      measure: 'reject_share_bytes',
      op: '>',
      threshold: 20,
      windows: 0,
    });
    expect(r.success).toBe(false);
    const issues = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues.join('\n')).toMatch(/name: a rule needs a name/);
    expect(issues.join('\n')).toMatch(/windows:/);
    expect(
      ruleInputSchema.safeParse({
        topicId: 't',
        name: 'share',
        measure: 'reject_share_bytes',
        op: '>',
        threshold: 20,
      }).error?.issues[0]?.message,
    ).toMatch(/fraction from 0 to 1/);
  });
});
