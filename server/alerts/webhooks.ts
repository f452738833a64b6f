// Alert notices to webhooks. The json body is documented (README, "Alerts") and signed:
// X-Flowdeck-Signature: sha256=<hex of HMAC-SHA256 of the body with the rule's secret>. Chat
// robots (Slack-compatible, WeCom, DingTalk, Feishu) get their own message body. A delivery that
// fails (no answer in 10 s, or not 2xx) is retried with back-off (1, 2, 4, 8 s, at most 5
// attempts). Every attempt goes to the delivery log (`record`: the alert history, which stores and
// bounds it). The queue is bounded: past its bound a notice is not queued, and that is logged as a
// delivery that was refused, never dropped silently.
import { createHmac } from 'node:crypto';
import type { AlertDelivery } from '../../shared/alerts/episode.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';
import type { AlertNotice } from './engine.ts';

export interface WebhookConfig {
  timeoutMs: number;
  attempts: number;
  firstRetryMs: number;
  maxQueued: number;
}

export const defaultWebhookConfig: WebhookConfig = {
  timeoutMs: 10_000,
  attempts: 5,
  firstRetryMs: 1_000,
  maxQueued: 1_000,
};

/** A delivery as the webhooks tell it (the history stores it with an id). */
export type Delivery = Omit<AlertDelivery, 'id'>;

/** The documented json body of a notice. */
export function noticeBody(n: AlertNotice, topicName: string, link: string, windowMs: number) {
  return {
    rule: { id: n.ruleId, name: n.ruleName },
    topic: { id: n.topicId, name: topicName },
    group: n.group || null,
    state: n.kind,
    episode: n.episode,
    value: n.value,
    peak: n.peak,
    threshold: n.threshold,
    window: {
      start: new Date(n.windowStart).toISOString(),
      end: new Date(n.windowStart + windowMs).toISOString(),
    },
    since: new Date(n.since).toISOString(),
    link,
  };
}

/** The text a chat robot shows. */
function chatText(n: AlertNotice, topicName: string, link: string): string {
  const head = n.kind === 'firing' ? `🔴 FIRING: ${n.ruleName}` : `✅ RESOLVED: ${n.ruleName}`;
  return `${head}\n${topicName}${n.group ? ` · ${n.group}` : ''}: ${n.value} (threshold ${n.threshold})\n${link}`;
}

/** The body for a webhook format. */
export function formatBody(
  format: 'json' | 'slack' | 'wecom' | 'dingtalk' | 'feishu',
  n: AlertNotice,
  topicName: string,
  link: string,
  windowMs: number,
): unknown {
  const text = chatText(n, topicName, link);
  switch (format) {
    case 'json':
      return noticeBody(n, topicName, link, windowMs);
    case 'slack':
      return { text };
    case 'wecom':
    case 'dingtalk':
      return { msgtype: 'text', text: { content: text } };
    case 'feishu':
      return { msg_type: 'text', content: { text } };
  }
}

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const targetOf = (url: string) => `${new URL(url).origin}/…`;

export function createWebhooks(
  config: WebhookConfig,
  deps: {
    rule: (id: string) => AlertRuleEntity | undefined;
    topicName: (id: string) => string;
    windowMs: (topicId: string) => number;
    /** The records behind a notice, as a link a person can open. */
    link: (n: AlertNotice) => string;
    now: () => number;
    warn: (msg: string) => void;
    /** The delivery log. */
    record: (d: Delivery) => void;
  },
) {
  let queued = 0;
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const { record } = deps;

  async function attempt(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; error?: string }> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await res.arrayBuffer().catch(() => {});
      return res.ok ? { status: res.status } : { status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { status: 0, error: (err as Error).message };
    }
  }

  function deliver(
    n: AlertNotice,
    url: string,
    headers: Record<string, string>,
    body: string,
    k: number,
  ) {
    void attempt(url, headers, body).then(({ status, error }) => {
      const base = {
        at: deps.now(),
        ruleId: n.ruleId,
        episode: n.episode,
        kind: n.kind,
        target: targetOf(url),
        attempt: k,
        status,
      };
      if (!error) {
        queued--;
        record({ ...base, outcome: 'delivered' });
        return;
      }
      if (k >= config.attempts || stopped) {
        queued--;
        record({ ...base, outcome: 'failed', error });
        deps.warn(`alert webhook ${targetOf(url)}: gave up after ${k} attempts (${error})`);
        return;
      }
      record({ ...base, outcome: 'retrying', error });
      const t = setTimeout(
        () => {
          timers.delete(t);
          deliver(n, url, headers, body, k + 1);
        },
        config.firstRetryMs * 2 ** (k - 1),
      );
      timers.add(t);
    });
  }

  return {
    /** Sends a notice to every webhook of its rule; under a silence, logs it as held instead. */
    send(n: AlertNotice, silence?: { until: number; reason: string; by: string }): void {
      const rule = deps.rule(n.ruleId);
      // A reopened episode, and its second resolution, were told already: nobody hears twice.
      if (!rule || n.kind === 'reopened' || n.repeat) return;
      // A delivery not attempted, in the log with why.
      const notSent = (url: string, outcome: 'silenced' | 'refused', error: string) =>
        record({
          at: deps.now(),
          ruleId: n.ruleId,
          episode: n.episode,
          kind: n.kind,
          target: targetOf(url),
          attempt: 0,
          status: 0,
          outcome,
          error,
        });
      for (const hook of rule.notify ?? []) {
        if (silence) {
          notSent(
            hook.url,
            'silenced',
            `silenced by ${silence.by} until ${new Date(silence.until).toISOString()}: ${silence.reason}`,
          );
          continue;
        }
        if (queued >= config.maxQueued) {
          notSent(hook.url, 'refused', `more than ${config.maxQueued} deliveries waiting`);
          continue;
        }
        const body = JSON.stringify(
          formatBody(
            hook.format,
            n,
            deps.topicName(n.topicId),
            deps.link(n),
            deps.windowMs(n.topicId),
          ),
        );
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'user-agent': 'flowdeck-alerts',
        };
        if (hook.secret) headers['x-flowdeck-signature'] = signature(body, hook.secret);
        queued++;
        deliver(n, hook.url, headers, body, 1);
      }
    },
    metrics: () => ({ queued }),
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
