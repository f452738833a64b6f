// The history reads' fair queue: at most `maxActive` run at once (the store keeps a connection
// for the live dashboards), each client (address) at most `perClientActive` of them, and clients
// take turns, so one client's queries cannot starve another's. A client has at most
// `perClientQueued` reads waiting; more are refused (429). Every read has a deadline counted from
// its arrival (503 past it), and stops when its client goes away: both abort the signal the read
// runs with, which interrupts its queries in the store.

export interface ReadQueueConfig {
  maxActive: number;
  perClientActive: number;
  perClientQueued: number;
  /** Deadline of one read, from its arrival, ms. */
  timeoutMs: number;
}

export const defaultReadQueueConfig: ReadQueueConfig = {
  maxActive: 2,
  perClientActive: 1,
  perClientQueued: 8,
  timeoutMs: 30_000,
};

/** Why a read did not run or did not finish: the API answers `status` with `code`. */
export class ReadRefused extends Error {
  constructor(
    readonly status: 429 | 503,
    readonly code: 'too_many_queries' | 'query_timeout' | 'gone',
    message: string,
    readonly retryAfterSec: number,
  ) {
    super(message);
    this.name = 'ReadRefused';
  }
}

/** The reason a read's signal carries when its deadline passed. */
export class Deadline extends Error {
  constructor(readonly ms: number) {
    super(`the query ran longer than its ${ms / 1000} s deadline and was stopped`);
    this.name = 'Deadline';
  }
}

interface Job {
  run: () => void;
  drop: () => void;
}

interface ClientState {
  active: number;
  queue: Job[];
}

export interface ReadQueueMetrics {
  running: number;
  waiting: number;
  refused: number;
  timedOut: number;
  abandoned: number;
}

export function createReadQueue(cfg: ReadQueueConfig = defaultReadQueueConfig) {
  const clients = new Map<string, ClientState>();
  /** Clients with queued reads, in turn order. */
  const turn: string[] = [];
  let active = 0;
  const m = { refused: 0, timedOut: 0, abandoned: 0 };

  function dispatch(): void {
    let scanned = 0;
    while (active < cfg.maxActive && turn.length > 0 && scanned < turn.length) {
      const id = turn.shift()!;
      const c = clients.get(id)!;
      if (c.active >= cfg.perClientActive) {
        turn.push(id);
        scanned++;
        continue;
      }
      scanned = 0;
      const job = c.queue.shift()!;
      if (c.queue.length > 0) turn.push(id);
      c.active++;
      active++;
      job.run();
    }
  }

  function finished(id: string): void {
    const c = clients.get(id);
    if (c) {
      c.active--;
      if (c.active === 0 && c.queue.length === 0) clients.delete(id);
    }
    active--;
    dispatch();
  }

  return {
    /**
     * Runs `fn` in the client's turn with a signal that aborts when `gone` aborts (the client went
     * away) or the deadline passes. Rejects with ReadRefused for a full queue, a deadline or a
     * client gone; otherwise as `fn` does.
     */
    run<T>(client: string, gone: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      let c = clients.get(client);
      if (!c) clients.set(client, (c = { active: 0, queue: [] }));
      const state = c;
      if (state.queue.length >= cfg.perClientQueued) {
        m.refused++;
        if (state.active === 0 && state.queue.length === 0) clients.delete(client);
        return Promise.reject(
          new ReadRefused(
            429,
            'too_many_queries',
            `${state.queue.length} of your queries are waiting already: wait for their answers`,
            1,
          ),
        );
      }
      const controller = new AbortController();
      const deadline = new Deadline(cfg.timeoutMs);
      const timer = setTimeout(() => controller.abort(deadline), cfg.timeoutMs);
      const onGone = () => controller.abort(gone.reason ?? new Error('the client went away'));
      if (gone.aborted) onGone();
      else gone.addEventListener('abort', onGone, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        gone.removeEventListener('abort', onGone);
      };
      const refusal = (): ReadRefused =>
        controller.signal.reason instanceof Deadline
          ? (m.timedOut++,
            new ReadRefused(
              503,
              'query_timeout',
              `${deadline.message}: narrow the time range or the query`,
              5,
            ))
          : (m.abandoned++, new ReadRefused(503, 'gone', 'the client went away', 1));

      return new Promise<T>((resolve, reject) => {
        let started = false;
        const job: Job = {
          run: () => {
            started = true;
            if (controller.signal.aborted) {
              cleanup();
              finished(client);
              reject(refusal());
              return;
            }
            fn(controller.signal).then(
              (v) => {
                cleanup();
                finished(client);
                resolve(v);
              },
              (err: unknown) => {
                cleanup();
                finished(client);
                reject(controller.signal.aborted ? refusal() : err);
              },
            );
          },
          drop: () => {
            cleanup();
            reject(refusal());
          },
        };
        // Aborted while waiting: leave the queue at once.
        controller.signal.addEventListener(
          'abort',
          () => {
            if (started) return;
            const i = state.queue.indexOf(job);
            if (i >= 0) state.queue.splice(i, 1);
            if (state.queue.length === 0) {
              const t = turn.indexOf(client);
              if (t >= 0) turn.splice(t, 1);
              if (state.active === 0) clients.delete(client);
            }
            job.drop();
          },
          { once: true },
        );
        state.queue.push(job);
        if (state.queue.length === 1) turn.push(client);
        dispatch();
      });
    },

    metrics(): ReadQueueMetrics {
      let waiting = 0;
      for (const c of clients.values()) waiting += c.queue.length;
      return { running: active, waiting, ...m };
    },
  };
}

export type ReadQueue = ReturnType<typeof createReadQueue>;
