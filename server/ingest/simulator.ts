// The built-in traffic source. It publishes the way the flow-log service does: the lines of one
// capture window of one log stream together (the window of the stream's flow log: 1 minute for NAT
// and CCN, 5 minutes for ENI by default), publishDelaySec after the window ends plus a
// per-(stream, window) jitter, so batches arrive staggered. start() first emits the backfill (the
// last backfillMinutes of complete windows, in time order): synchronously by default, so that a
// server started right after has its history; in event-loop-friendly slices with backfillSliceMs > 0.
//
// It does not know about --speed: the app passes a Clock that may run faster. The lines of a
// (stream, window) are a pure function of (seed, catalog, stream, window start), so restarts and
// tests replay the same traffic. It writes every record the resource sees; the ingest pipeline
// parses the lines and applies each flow log's collection type (catalog.keeps()).
import { alignToWindow } from '../../shared/capture-window.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { DEFAULT_ACCOUNT_ID } from '../catalog/default-catalog.ts';
import type { Clock } from '../clock.ts';
import { hash32, mix32, unit } from './random.ts';
import { buildTrafficModel, type StreamModel } from './traffic-model.ts';
import type { LineBatch } from './types.ts';

const MINUTE_MS = 60_000;
/** The `source` of every batch: the pipeline keeps one parser per source. */
export const SIMULATOR_SOURCE = 'simulator';

export interface SimulatorConfig {
  /** PRNG seed: the same seed gives the same lines for the same windows. */
  seed: number;
  /**
   * Seconds from a window's end to its publication. The real service takes about 300 s; the default
   * (10 s) keeps a demo lively.
   */
  publishDelaySec: number;
  /** Up to this many extra seconds per (stream, window), so streams publish staggered. */
  jitterSec: number;
  /** Minutes of complete windows emitted at start; also how far behind it catches up after a pause. */
  backfillMinutes: number;
  /** Real-time polling interval of the clock, ms. */
  tickMs: number;
  /**
   * 0: start() emits the whole backfill before it returns (about a second per hour of busy traffic,
   * parsing included). Otherwise the backfill runs in slices of this many ms between event-loop turns.
   */
  backfillSliceMs: number;
  /** account-id of ENI and NAT records (a Tencent APPID). */
  accountId: string;
}

export const defaultSimulatorConfig: Readonly<SimulatorConfig> = Object.freeze({
  seed: 1,
  publishDelaySec: 10,
  jitterSec: 20,
  backfillMinutes: 60,
  tickMs: 250,
  backfillSliceMs: 0,
  accountId: DEFAULT_ACCOUNT_ID,
});

export class SimulatorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid simulator configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimulatorConfigError';
  }
}

/** Every problem of a simulator configuration; empty when it is valid. */
export function checkSimulatorConfig(c: SimulatorConfig): string[] {
  const problems: string[] = [];
  const num = (name: keyof SimulatorConfig, ok: (n: number) => boolean, rule: string) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      problems.push(`${name} must be ${rule}, got ${JSON.stringify(v)}`);
    }
  };
  num('seed', (n) => Number.isSafeInteger(n), 'an integer');
  num('publishDelaySec', (n) => n >= 0 && n <= 86_400, 'seconds in [0, 86400]');
  num('jitterSec', (n) => n >= 0 && n <= 3600, 'seconds in [0, 3600]');
  num(
    'backfillMinutes',
    (n) => Number.isInteger(n) && n >= 0 && n <= 7 * 1440,
    'whole minutes in [0, 10080]',
  );
  num('tickMs', (n) => n >= 10 && n <= 60_000, 'milliseconds in [10, 60000]');
  num('backfillSliceMs', (n) => n >= 0 && n <= 1000, 'milliseconds in [0, 1000]');
  if (typeof c.accountId !== 'string' || !/^\S+$/.test(c.accountId)) {
    problems.push(`accountId must be one token without spaces, got ${JSON.stringify(c.accountId)}`);
  }
  return problems;
}

export interface StreamEmission {
  topicId: string;
  streamId: string;
  /** Start (epoch ms) of the newest window emitted, or null before any. */
  lastWindowStart: number | null;
  windows: number;
  lines: number;
}

export interface SimulatorMetrics {
  /** (stream, window) batches handed to the sink. */
  windowsEmitted: number;
  linesEmitted: number;
  /** True while the start-up backfill is being emitted. */
  backfilling: boolean;
  /** Windows never emitted because the clock jumped further ahead than backfillMinutes. */
  windowsSkipped: number;
  /** The sink threw (the batch counts as emitted and is not retried). */
  sinkErrors: number;
  /** Batches the sink did not take (the store was full): offered again later. */
  sinkRefused: number;
  /** Time spent generating lines, ms; the sink's own time is in sinkMs. */
  generateMs: number;
  sinkMs: number;
  streams: StreamEmission[];
}

export interface SimulatorDeps {
  catalog: Catalog;
  clock: Clock;
  /**
   * Receives each (stream, window) batch; called synchronously, in publication order. False: not
   * taken now (the store is full); the window is offered again on a later tick.
   */
  sink: (batch: LineBatch) => boolean;
  /** Told when the sink throws. */
  onError?: (err: unknown, batch: LineBatch) => void;
  /**
   * Newest window already stored per stream (key `topicId NUL streamId`, epoch ms): after a restart
   * the simulator carries on after it instead of emitting those windows again.
   */
  resumeAfter?: ReadonlyMap<string, number>;
  /** True while downstream (the store) is behind: nothing is generated, it waits. */
  busy?: () => boolean;
}

/** Key of SimulatorDeps.resumeAfter. */
export const resumeKey = (topicId: string, streamId: string) => `${topicId}\u0000${streamId}`;

interface StreamState {
  model: StreamModel;
  order: number;
  jitterSeed: number;
  /** Every window before this one has been emitted (or skipped). Null until the first tick. */
  next: number | null;
  /** Windows at or after `next` already emitted (out of order, when jitter spans windows). */
  ahead: Set<number>;
  emission: StreamEmission;
}

interface Due {
  at: number;
  windowStart: number;
  state: StreamState;
}

export function createSimulator(config: Partial<SimulatorConfig>, deps: SimulatorDeps) {
  const cfg: SimulatorConfig = { ...defaultSimulatorConfig, ...config };
  const problems = checkSimulatorConfig(cfg);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  Object.freeze(cfg);

  const delayMs = cfg.publishDelaySec * 1000;
  const jitterMs = cfg.jitterSec * 1000;
  const stateKey = (model: StreamModel) => `${model.topicId}\u0000${model.streamId}`;
  const newState = (model: StreamModel, order: number, next: number | null): StreamState => ({
    model,
    order,
    jitterSeed: hash32(cfg.seed, 'jitter', model.topicId, model.streamId),
    next,
    ahead: new Set(),
    emission: {
      topicId: model.topicId,
      streamId: model.streamId,
      lastWindowStart: null,
      windows: 0,
      lines: 0,
    },
  });
  const build = () => buildTrafficModel(deps.catalog, { seed: cfg.seed, accountId: cfg.accountId });
  let states: StreamState[] = build().map((model, order) => newState(model, order, null));

  /**
   * Follows the catalog: streams of flow logs that are no longer simulated (deleted, disabled)
   * stop; new ones start with the window that opens next (a new flow log has no history).
   */
  function refresh(): void {
    const old = new Map(states.map((s) => [stateKey(s.model), s]));
    const now = deps.clock.now();
    states = build().map((model, order) => {
      const prev = old.get(stateKey(model));
      if (prev && prev.model.windowMs === model.windowMs) return { ...prev, model, order };
      return newState(model, order, alignToWindow(now, model.windowMs) + model.windowMs);
    });
  }
  const m = {
    windowsEmitted: 0,
    linesEmitted: 0,
    windowsSkipped: 0,
    sinkErrors: 0,
    sinkRefused: 0,
    generateMs: 0,
    sinkMs: 0,
  };

  let timer: ReturnType<typeof setInterval> | null = null;
  let backfill: { cancelled: boolean } | null = null;
  let backfillDone: Promise<void> = Promise.resolve();

  /** When the (stream, window) batch is published: window end + delay + jitter, epoch ms. */
  const dueAt = (s: StreamState, windowStart: number) =>
    windowStart +
    s.model.windowMs +
    delayMs +
    Math.floor(unit(mix32(s.jitterSeed, windowStart / MINUTE_MS)) * jitterMs);

  /** Every (stream, window) due by `now` and not emitted yet, in publication order. */
  function collectDue(now: number): Due[] {
    const due: Due[] = [];
    for (const s of states) {
      const windowMs = s.model.windowMs;
      const backfillFrom = alignToWindow(now - cfg.backfillMinutes * MINUTE_MS, windowMs);
      // After a pause longer than the backfill, skip ahead; never skip a window before it was due.
      const slack = (Math.ceil((delayMs + jitterMs) / windowMs) + 1) * windowMs;
      const skipBefore = backfillFrom - slack;
      if (s.next === null) {
        // Stored records carry their topic's window start, which may be longer than the stream's.
        const stored = deps.resumeAfter?.get(resumeKey(s.model.topicId, s.model.streamId));
        s.next = backfillFrom;
        const after = stored === undefined ? null : stored + s.model.topicWindowMs;
        if (after !== null && after > s.next) s.next = alignToWindow(after, windowMs);
      } else if (s.next < skipBefore) {
        for (let w = s.next; w < skipBefore; w += windowMs)
          if (!s.ahead.delete(w)) m.windowsSkipped++;
        s.next = skipBefore;
      }
      for (let w = s.next; w + windowMs + delayMs <= now; w += windowMs) {
        if (s.ahead.has(w)) continue;
        const at = dueAt(s, w);
        if (at <= now) due.push({ at, windowStart: w, state: s });
      }
    }
    return due.sort(
      (a, b) => a.at - b.at || a.windowStart - b.windowStart || a.state.order - b.state.order,
    );
  }

  /** Hands one (stream, window) to the sink; false when the sink did not take it (try later). */
  function emit(d: Due): boolean {
    if (deps.busy?.()) return false;
    const { state: s, windowStart } = d;
    const t0 = performance.now();
    const lines = s.model.lines(windowStart);
    const t1 = performance.now();
    const batch: LineBatch = {
      topicId: s.model.topicId,
      streamId: s.model.streamId,
      source: SIMULATOR_SOURCE,
      origin: `${SIMULATOR_SOURCE}:${s.model.topicId}/${s.model.streamId}`,
      lines,
    };
    try {
      if (!deps.sink(batch)) {
        m.sinkRefused++;
        return false;
      }
    } catch (err) {
      m.sinkErrors++;
      deps.onError?.(err, batch);
    }
    m.generateMs += t1 - t0;
    m.sinkMs += performance.now() - t1;
    m.windowsEmitted++;
    m.linesEmitted += lines.length;
    s.emission.windows++;
    s.emission.lines += lines.length;
    if (s.emission.lastWindowStart === null || windowStart > s.emission.lastWindowStart) {
      s.emission.lastWindowStart = windowStart;
    }
    s.ahead.add(windowStart);
    let next = s.next as number;
    while (s.ahead.delete(next)) next += s.model.windowMs;
    s.next = next;
    return true;
  }

  /** Emits, synchronously, every batch that is due now. Returns how many. No-op while backfilling. */
  function tick(): number {
    if (backfill) return 0;
    const due = collectDue(deps.clock.now());
    let n = 0;
    // In publication order; when the sink is full, the rest waits for a later tick.
    for (const d of due) {
      if (!emit(d)) break;
      n++;
    }
    return n;
  }

  function startTimer() {
    tick(); // what fell due while the backfill ran
    timer = setInterval(tick, cfg.tickMs);
    timer.unref?.();
  }

  function start() {
    if (timer || backfill) return;
    const queue = collectDue(deps.clock.now());
    if (cfg.backfillSliceMs === 0) {
      for (const d of queue) if (!emit(d)) break;
      backfillDone = Promise.resolve();
      startTimer();
      return;
    }
    const run = { cancelled: false };
    let i = 0;
    backfillDone = new Promise<void>((resolve) => {
      const slice = () => {
        if (run.cancelled) return resolve();
        if (deps.busy?.()) {
          setTimeout(slice, 50);
          return;
        }
        const until = performance.now() + cfg.backfillSliceMs;
        while (i < queue.length && performance.now() < until) {
          if (!emit(queue[i] as Due)) {
            setTimeout(slice, 50);
            return;
          }
          i++;
        }
        if (i < queue.length) {
          setImmediate(slice);
          return;
        }
        backfill = null;
        startTimer();
        resolve();
      };
      setImmediate(slice);
    });
    backfill = run;
  }

  function stop() {
    if (backfill) {
      backfill.cancelled = true;
      backfill = null;
    }
    if (timer) clearInterval(timer);
    timer = null;
  }

  return {
    start,
    stop,
    tick,
    refresh,
    /** Resolves when the start-up backfill has been emitted (or stop() interrupted it). */
    backfilled: (): Promise<void> => backfillDone,
    config: (): Readonly<SimulatorConfig> => cfg,
    metrics: (): SimulatorMetrics => ({
      ...m,
      backfilling: backfill !== null,
      streams: states.map((s) => ({ ...s.emission })),
    }),
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
