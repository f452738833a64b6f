// The rule editor's fields to a rule body and back: shares typed in percent, change rules,
// stream rules without a query, a webhook's secret kept when left empty.
import { describe, expect, it } from 'vitest';
import { rulePresets } from '../../shared/alerts/presets.ts';
import { ruleInputSchema } from '../../shared/alerts/rule.ts';
import { EMPTY_FIELDS, fieldsOf, ruleBody } from '../../client/manage/rule-form.ts';

describe('rule form', () => {
  it('sends a REJECT share typed in percent as a fraction, and reads it back in percent', () => {
    const f = {
      ...EMPTY_FIELDS,
      name: 'rejects',
      measure: 'reject_share_bytes' as const,
      threshold: '20',
    };
    const r = ruleBody('t', f);
    expect(r.ok && r.body).toMatchObject({ threshold: 0.2, notify: [] });
    expect(ruleInputSchema.safeParse(r.ok && r.body).success).toBe(true);
    expect(fieldsOf(ruleInputSchema.parse(r.ok && r.body)).threshold).toBe('20');
  });
  it('says which fields are not numbers', () => {
    const r = ruleBody('t', { ...EMPTY_FIELDS, threshold: 'many', windows: '0' });
    expect(r).toEqual({
      ok: false,
      errors: { threshold: 'a number', windows: 'a whole number of windows, 1 or more' },
    });
  });
  it('makes every ready-made rule back into the same rule', () => {
    for (const p of rulePresets('topic-x')) {
      const r = ruleBody('topic-x', fieldsOf(p.rule));
      expect(r.ok, p.key).toBe(true);
      const parsed = ruleInputSchema.parse(r.ok && r.body);
      expect(parsed).toMatchObject(ruleInputSchema.parse(p.rule));
    }
  });
  it('keeps a stored webhook secret when the field is left empty, and drops a stream rule query', () => {
    const hook = { url: 'https://hooks.example/x', format: 'json' };
    const f = {
      ...EMPTY_FIELDS,
      name: 'n',
      threshold: '5',
      webhookUrl: hook.url,
      measure: 'stream_silent' as const,
      query: 'dstport:22',
    };
    const kept = ruleBody('t', f, hook);
    expect(kept.ok && 'notify' in kept.body).toBe(false);
    expect(kept.ok && kept.body.query).toBe('');
    const changed = ruleBody('t', { ...f, webhookSecret: 'new' }, hook);
    expect(changed.ok && changed.body.notify).toEqual([
      { kind: 'webhook', url: hook.url, format: 'json', secret: 'new' },
    ]);
  });
});
