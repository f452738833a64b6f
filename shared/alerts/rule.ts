// An alert rule, as the API takes it and the UI edits it: which records (a query of the query
// language, '' for all), what to measure over each capture window, the comparison that makes it
// hold, and for how many consecutive windows it must hold before it fires. A change rule compares
// the measure with the same window an hour or a day before (a drop or a spike, in percent).
// Validated once, here, at the edge (zod); the evaluator trusts the type.
import { z } from 'zod';

export const MEASURES = [
  'bytes',
  'packets',
  'records',
  'reject_share_bytes',
  'reject_share_packets',
  'distinct_dstports_per_src',
  'stream_silent',
  'stream_skipdata',
] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * Stream rules, judged per log stream from each published window's stream states: `stream_silent`
 * is 1 for a stream that sent nothing in the window (not even NODATA), else 0; `stream_skipdata`
 * counts its SKIPDATA records (the service skipped records). They take no query.
 */
export const STREAM_MEASURES: ReadonlySet<Measure> = new Set(['stream_silent', 'stream_skipdata']);

/** How the UI names each measure. */
export const MEASURE_LABELS: Record<Measure, string> = {
  bytes: 'bytes',
  packets: 'packets',
  records: 'records',
  reject_share_bytes: 'REJECT share of bytes',
  reject_share_packets: 'REJECT share of packets',
  distinct_dstports_per_src: 'distinct destination ports per source',
  stream_silent: 'log stream silent (1 = sent nothing)',
  stream_skipdata: 'SKIPDATA records per log stream',
};

/** Measures that are a share of traffic, a fraction from 0 to 1. */
export const SHARE_MEASURES: ReadonlySet<Measure> = new Set([
  'reject_share_bytes',
  'reject_share_packets',
]);

/** Measures judged per group (a source address or a log stream), not once per topic. */
export function groupedBy(measure: Measure): 'source' | 'stream' | null {
  if (measure === 'distinct_dstports_per_src') return 'source';
  return STREAM_MEASURES.has(measure) ? 'stream' : null;
}

/** Measures that are sums: a window without records measures 0 (not "unknown"). */
export const SUM_MEASURES: ReadonlySet<Measure> = new Set(['bytes', 'packets', 'records']);

export const OPS = ['>', '>=', '<', '<='] as const;
export type Op = (typeof OPS)[number];

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const NOTIFY_FORMATS = ['json', 'slack', 'wecom', 'dingtalk', 'feishu'] as const;

const notifySchema = z
  .object({
    kind: z.literal('webhook'),
    url: z
      .string()
      .max(2000)
      .regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i, 'an http(s) URL'),
    /** HMAC-SHA256 key of the X-Flowdeck-Signature header (json format). */
    secret: z.string().max(500).optional(),
    format: z.enum(NOTIFY_FORMATS).default('json'),
  })
  .strict();

export const ruleInputSchema = z
  .object({
    topicId: id,
    name: z.string().trim().min(1, 'a rule needs a name').max(200),
    query: z.string().max(2000).default(''),
    measure: z.enum(MEASURES),
    op: z.enum(OPS),
    threshold: z.number().finite(),
    windows: z.number().int().min(1).max(288).default(1),
    change: z
      .object({
        against: z.enum(['hour', 'day']),
        /** A drop: the measure fell by more than `threshold` percent; a spike: rose by more. */
        direction: z.enum(['drop', 'spike']),
      })
      .strict()
      .optional(),
    enabled: z.boolean().default(true),
    /** Where notices go: webhooks (JSON signed with the secret, or a chat robot's body). */
    notify: z.array(notifySchema).max(5).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (SHARE_MEASURES.has(r.measure) && !r.change && (r.threshold < 0 || r.threshold > 1))
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'a REJECT share is compared as a fraction from 0 to 1 (0.2 is 20%)',
      });
    if (STREAM_MEASURES.has(r.measure) && r.query.trim() !== '')
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: 'a stream rule watches every log stream of the topic and takes no query',
      });
    if (STREAM_MEASURES.has(r.measure) && r.change)
      ctx.addIssue({
        code: 'custom',
        path: ['change'],
        message: 'a stream rule is not a change rule',
      });
    if (r.change && r.threshold <= 0)
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'a change rule takes a percent above 0 (50 is a 50% drop or spike)',
      });
  });

export type RuleInput = z.input<typeof ruleInputSchema>;
export type Rule = z.output<typeof ruleInputSchema> & { id: string };

/** True when `value` compares with the rule's threshold by its op. */
export function holds(op: Op, value: number, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/** The more extreme of two values for `op`: the lower for < and <=, the higher otherwise (a peak). */
export function extreme(op: Op, a: number, b: number): number {
  return op === '<' || op === '<=' ? Math.min(a, b) : Math.max(a, b);
}

/**
 * A change rule's value: how far `now` moved from `before`, in percent, in the rule's direction
 * (a drop from 100 to 20 is 80; a spike from 100 to 300 is 200). Null without a baseline (no
 * window then, or one that measured 0 for a drop), so nothing is judged against nothing.
 */
export function changePercent(
  direction: 'drop' | 'spike',
  now: number,
  before: number | null,
): number | null {
  if (before === null) return null;
  if (direction === 'drop') return before > 0 ? ((before - now) / before) * 100 : null;
  if (before === 0) return now > 0 ? Number.POSITIVE_INFINITY : 0;
  return ((now - before) / before) * 100;
}
