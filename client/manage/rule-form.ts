// The rule editor's fields as typed, and the rule they make (and back). Shares are typed in
// percent and sent as fractions; a change rule's threshold is a percent already. Pure.
import {
  SHARE_MEASURES,
  STREAM_MEASURES,
  type Measure,
  type Op,
  type RuleInput,
} from '../../shared/alerts/rule.ts';

export interface RuleFields {
  name: string;
  query: string;
  measure: Measure;
  op: Op;
  threshold: string;
  windows: string;
  /** '' for a plain rule. */
  against: '' | 'hour' | 'day';
  direction: 'drop' | 'spike';
  enabled: boolean;
  webhookUrl: string;
  webhookFormat: 'json' | 'slack' | 'wecom' | 'dingtalk' | 'feishu';
  webhookSecret: string;
}

export const EMPTY_FIELDS: RuleFields = {
  name: '',
  query: '',
  measure: 'records',
  op: '>',
  threshold: '',
  windows: '1',
  against: '',
  direction: 'spike',
  enabled: true,
  webhookUrl: '',
  webhookFormat: 'json',
  webhookSecret: '',
};

const isShare = (m: Measure) => SHARE_MEASURES.has(m);

/** Whether the threshold is typed in percent (a share, or any change rule). */
export function percentThreshold(f: Pick<RuleFields, 'measure' | 'against'>): boolean {
  return f.against !== '' || isShare(f.measure);
}

/** What the editor reads of a rule: a preset, or a rule as the API shows it. */
export type RuleLike = Omit<RuleInput, 'notify' | 'topicId'> & {
  notify?: ReadonlyArray<{ url: string; format?: RuleFields['webhookFormat'] }>;
};

/** The fields of a stored rule or a preset (its webhook's secret is never sent back: empty). */
export function fieldsOf(r: RuleLike): RuleFields {
  const hook = r.notify?.[0];
  const against = r.change?.against ?? '';
  const share = against === '' && isShare(r.measure);
  return {
    name: r.name,
    query: r.query ?? '',
    measure: r.measure,
    op: r.op,
    threshold: String(share ? +(r.threshold * 100).toFixed(6) : r.threshold),
    windows: String(r.windows ?? 1),
    against,
    direction: r.change?.direction ?? 'spike',
    enabled: r.enabled ?? true,
    webhookUrl: hook?.url ?? '',
    webhookFormat: hook?.format ?? 'json',
    webhookSecret: '',
  };
}

/**
 * The rule body the fields make, or the problems of fields that are not numbers. `keepSecret`: an
 * edited rule whose secret field was left empty keeps the stored secret (the body leaves notify
 * out when nothing about the webhook changed).
 */
export function ruleBody(
  topicId: string,
  f: RuleFields,
  held?: { url: string; format: string } | null,
): { ok: true; body: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const threshold = Number(f.threshold.trim());
  if (f.threshold.trim() === '' || !Number.isFinite(threshold)) errors.threshold = 'a number';
  const windows = Number(f.windows.trim());
  if (!Number.isInteger(windows) || windows < 1)
    errors.windows = 'a whole number of windows, 1 or more';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const stream = STREAM_MEASURES.has(f.measure);
  const body: Record<string, unknown> = {
    topicId,
    name: f.name,
    query: stream ? '' : f.query,
    measure: f.measure,
    op: f.op,
    threshold: percentThreshold(f) && f.against === '' ? threshold / 100 : threshold,
    windows,
    enabled: f.enabled,
  };
  if (f.against !== '' && !stream) body.change = { against: f.against, direction: f.direction };
  const url = f.webhookUrl.trim();
  const unchanged =
    held && held.url === url && held.format === f.webhookFormat && f.webhookSecret === '';
  if (!unchanged)
    body.notify =
      url === ''
        ? []
        : [
            {
              kind: 'webhook',
              url,
              format: f.webhookFormat,
              ...(f.webhookSecret !== '' ? { secret: f.webhookSecret } : {}),
            },
          ];
  return { ok: true, body };
}
