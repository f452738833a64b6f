// What alerting keeps besides its rules: the episodes (one per time a rule's condition held long
// enough, from firing to resolved, with its peak and who acknowledged it) and the silences (no
// notifications for a rule or a topic until a time, with the reason). Shared by the server (kept
// with the catalog in the store) and the UI (the alerts page, the banners). Inputs validated here.
import { z } from 'zod';
import type { Measure, Op, Rule } from './rule.ts';

export interface AlertEpisode {
  id: string;
  ruleId: string;
  /** The rule's name when it fired (a later rename does not rewrite history). */
  ruleName: string;
  topicId: string;
  /** '' for a topic-wide rule; the source address or the log stream for a grouped one. */
  group: string;
  state: 'firing' | 'resolved';
  /** First capture window of the run that fired it. */
  since: number;
  /** The newest window judged while it fired (the window that resolved it, once resolved). */
  lastWindow: number;
  /** When it resolved (the resolving window's start), null while firing. */
  end: number | null;
  /** The firing window's value (what the notice said), and the most extreme value of the episode. */
  value: number;
  peak: number;
  threshold: number;
  /** The query of the rule when it fired: the records behind it are this query over its windows. */
  query: string;
  /** What the rule measured (the value's unit), its comparison, and whether it was a change rule. */
  measure: Measure;
  op: Op;
  change: Rule['change'] | null;
  /** Server time of the firing notice. */
  firedAt: number;
  ackedBy: string | null;
  ackedAt: number | null;
  /** A silence held its notifications (it still shows on screen). */
  silenced: boolean;
}

/** One webhook delivery attempt of a notice (or one not attempted, with why): the delivery log. */
export interface AlertDelivery {
  id: string;
  at: number;
  ruleId: string;
  episode: number;
  kind: 'firing' | 'resolved' | 'reopened';
  /** The webhook's origin only: a robot's path or query is often its key. */
  target: string;
  attempt: number;
  /** HTTP status, or 0 when there was no answer. */
  status: number;
  /** silenced: a silence held it (error says which, until when and why); nothing was sent. */
  outcome: 'delivered' | 'retrying' | 'failed' | 'refused' | 'silenced';
  error?: string;
}

export interface AlertSilence {
  id: string;
  /** A topic's rules, or one rule (exactly one of the two). */
  topicId: string | null;
  ruleId: string | null;
  /** Epoch ms: notifications resume then. */
  until: number;
  reason: string;
  by: string;
  createdAt: number;
}

const who = z.string().trim().min(1, 'say who').max(100);

export const silenceInputSchema = z
  .object({
    topicId: z.string().min(1).max(200).optional(),
    ruleId: z.string().min(1).max(200).optional(),
    /** How long, in minutes (at most 30 days). */
    minutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60),
    reason: z.string().trim().min(1, 'a silence needs a reason').max(500),
    by: who,
  })
  .strict()
  .refine((s) => (s.topicId === undefined) !== (s.ruleId === undefined), {
    message: 'silence either a topic (topicId) or a rule (ruleId)',
    path: ['ruleId'],
  });

export type SilenceInput = z.input<typeof silenceInputSchema>;

export const ackInputSchema = z.object({ by: who }).strict();

/** True when `s` holds notifications of `rule` at `now`. */
export function silences(
  s: AlertSilence,
  rule: { id: string; topicId: string },
  now: number,
): boolean {
  return now < s.until && (s.ruleId === rule.id || s.topicId === rule.topicId);
}
