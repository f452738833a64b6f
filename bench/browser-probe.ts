// Measuring a page in Chromium through the DevTools protocol: main-thread task time and CPU time
// (Performance.getMetrics' TaskDuration and ThreadTime) sampled every 100 ms beside the page's
// live-update marks (client/lib/topic-feed.svelte.ts), the DOM's size and listeners, and the JS
// heap after a collection. Shared by `npm run bench browser`, `npm run bench soak` and the soak test.
//
// The marks come to the probe as the page makes them (a PerformanceObserver calling a binding),
// not by asking the page every 100 ms: a page.evaluate ten times a second cost the page's main
// thread about 1.3% (measured against an idle dashboard, whose own work is 0.1 to 0.4%), which
// the idle row then reported as the page's. What the probe still costs the page is its
// getMetrics calls, about 0.4%, counted in the idle row and subtracted from each update's.
import type { CDPSession, Page } from 'playwright-core';

export const UPDATE_MARK = 'flowdeck:update';

export interface TaskSample {
  /** Seconds (the browser's monotonic clock). */
  at: number;
  /** Main-thread task time so far, seconds, on the wall clock: how long tasks held the thread,
   * waits for a core and for the compositor's commit included. */
  task: number;
  /** The main thread's own CPU time so far, seconds (ThreadTime): the work alone, no waits (why the
   * two clocks differ here: bench/browser.ts). */
  cpu: number;
  /** Live revisions the page has merged so far. */
  updates: number;
  /** Merges so far (a burst of revisions is merged, and drawn, once). */
  commits: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Live revisions and merges so far: the detail of the page's newest update mark. */
export interface UpdateCount {
  revisions: number;
  commits: number;
}

const BINDING = '__flowdeckBenchUpdate';

/**
 * The page's update count, kept up to date by the page itself: each update mark calls a binding
 * with its detail. Set up once per page, once it has loaded (the observer does not outlive a
 * reload).
 */
export async function watchUpdates(page: Page): Promise<UpdateCount> {
  const count: UpdateCount = { revisions: 0, commits: 0 };
  await page.exposeBinding(BINDING, (_source, detail: unknown) => {
    const d = detail as { revisions?: unknown; commits?: unknown } | null;
    if (typeof d?.revisions === 'number') count.revisions = d.revisions;
    if (typeof d?.commits === 'number') count.commits = d.commits;
  });
  await page.evaluate(
    ([name, binding]) => {
      const call = (window as unknown as Record<string, (d: unknown) => void>)[binding]!;
      // (No named helper: the bench's loader would wrap it in a function the page lacks.)
      const newest = performance.getEntriesByName(name, 'mark').at(-1) as
        PerformanceMark | undefined;
      if (newest) call(newest.detail);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.name === name) call((e as PerformanceMark).detail);
      }).observe({ type: 'mark' });
    },
    [UPDATE_MARK, BINDING] as const,
  );
  return count;
}

export async function openProbe(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  return cdp;
}

/** Samples task time and updates (from watchUpdates) every `everyMs` for `seconds`. */
export async function sampleTasks(
  cdp: CDPSession,
  updates: Readonly<UpdateCount>,
  seconds: number,
  everyMs = 100,
): Promise<TaskSample[]> {
  const out: TaskSample[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const m = await metrics(cdp);
    const count = { ...updates };
    out.push({
      at: m.Timestamp ?? 0,
      task: m.TaskDuration ?? 0,
      cpu: m.ThreadTime ?? 0,
      updates: count.revisions,
      commits: count.commits,
    });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return out;
}

export interface UpdateCost {
  /** Main-thread ms each revision cost (its merge's work shared by the revisions in it). */
  perUpdateMs: number[];
  /** Main-thread ms each merge (and redraw) cost: its 1.5 s after, less the idle rate. */
  perCommitMs: number[];
  /** Main-thread busy share while no update was being handled, 0..1. */
  idleBusy: number;
  updates: number;
  seconds: number;
}

/** How long after an update its work is counted (charts, derived state, the next frames). */
const AFTER_S = 1.5;

export function updateCost(
  samples: readonly TaskSample[],
  clock: 'wall' | 'cpu' = 'wall',
): UpdateCost {
  const busy = (s: TaskSample) => (clock === 'wall' ? s.task : s.cpu);
  // Each interval is the update's (within AFTER_S of the newest update) or idle.
  let idleTask = 0;
  let idleTime = 0;
  let lastUpdateAt = -Infinity;
  const spans: Array<{ task: number; time: number; n: number; commits: number }> = [];
  /** The interval before, when it was idle: an update's mark reaches the probe a moment after the
   * page made it, so an update's span starts one interval early. */
  let idleBefore: { task: number; time: number } | null = null;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.at - a.at;
    const dTask = busy(b) - busy(a);
    if (b.commits > a.commits) {
      lastUpdateAt = b.at;
      const early = idleBefore ?? { task: 0, time: 0 };
      idleTask -= early.task;
      idleTime -= early.time;
      spans.push({
        task: early.task,
        time: early.time,
        n: b.updates - a.updates,
        commits: b.commits - a.commits,
      });
    }
    if (b.at - lastUpdateAt <= AFTER_S && spans.length > 0) {
      const s = spans.at(-1)!;
      s.task += dTask;
      s.time += dt;
      idleBefore = null;
    } else {
      idleTask += dTask;
      idleTime += dt;
      idleBefore = { task: dTask, time: dt };
    }
  }
  const idleRate = idleTime > 0 ? idleTask / idleTime : 0;
  const work = (s: (typeof spans)[number]) => Math.max(0, s.task - idleRate * s.time) * 1000;
  const perUpdateMs = spans.flatMap((s) =>
    Array.from({ length: s.n }, () => work(s) / Math.max(1, s.n)),
  );
  const perCommitMs = spans.flatMap((s) =>
    Array.from({ length: s.commits }, () => work(s) / s.commits),
  );
  return {
    perUpdateMs,
    perCommitMs,
    idleBusy: idleRate,
    updates: perUpdateMs.length,
    seconds: samples.length > 1 ? samples.at(-1)!.at - samples[0]!.at : 0,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface PageFootprint {
  /** JS heap used after a full collection, bytes. */
  heap: number;
  nodes: number;
  listeners: number;
}

/** The page's footprint after a garbage collection (so the heap is what is kept). */
export async function footprint(cdp: CDPSession): Promise<PageFootprint> {
  await cdp.send('HeapProfiler.collectGarbage');
  const m = await metrics(cdp);
  return { heap: m.JSHeapUsedSize ?? 0, nodes: m.Nodes ?? 0, listeners: m.JSEventListeners ?? 0 };
}
