// Measuring a page in Chromium through the DevTools protocol: main-thread task time
// (Performance.getMetrics' TaskDuration) sampled every 100 ms beside the page's live-update marks
// (client/lib/topic-feed.svelte.ts), the DOM's size and listeners, and the JS heap after a
// collection. Shared by `npm run bench browser`, `npm run bench soak` and the soak test.
import type { CDPSession, Page } from 'playwright-core';

export const UPDATE_MARK = 'flowdeck:update';

export interface TaskSample {
  /** Seconds (the browser's monotonic clock). */
  at: number;
  /** Main-thread task time so far, seconds. */
  task: number;
  /** Live revisions the page has merged so far. */
  updates: number;
  /** Merges so far (a burst of revisions is merged, and drawn, once). */
  commits: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Live revisions and merges so far (the detail of the newest update mark). */
async function updateCount(page: Page): Promise<{ revisions: number; commits: number }> {
  return page.evaluate((name) => {
    const marks = performance.getEntriesByName(name, 'mark');
    const detail = (marks.at(-1) as PerformanceMark | undefined)?.detail as
      { revisions?: unknown; commits?: unknown } | undefined;
    // (No named helper: the bench's loader would wrap it in a function the page lacks.)
    return {
      revisions: typeof detail?.revisions === 'number' ? detail.revisions : 0,
      commits: typeof detail?.commits === 'number' ? detail.commits : 0,
    };
  }, UPDATE_MARK);
}

export async function openProbe(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  return cdp;
}

/** Samples task time and updates every `everyMs` for `seconds`. */
export async function sampleTasks(
  page: Page,
  cdp: CDPSession,
  seconds: number,
  everyMs = 100,
): Promise<TaskSample[]> {
  const out: TaskSample[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const [m, count] = await Promise.all([metrics(cdp), updateCount(page)]);
    out.push({
      at: m.Timestamp ?? 0,
      task: m.TaskDuration ?? 0,
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

export function updateCost(samples: readonly TaskSample[]): UpdateCost {
  // Each interval is the update's (within AFTER_S of the newest update) or idle.
  let idleTask = 0;
  let idleTime = 0;
  let lastUpdateAt = -Infinity;
  const spans: Array<{ task: number; time: number; n: number; commits: number }> = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.at - a.at;
    const dTask = b.task - a.task;
    if (b.commits > a.commits) {
      lastUpdateAt = b.at;
      spans.push({ task: 0, time: 0, n: b.updates - a.updates, commits: b.commits - a.commits });
    }
    if (b.at - lastUpdateAt <= AFTER_S && spans.length > 0) {
      const s = spans.at(-1)!;
      s.task += dTask;
      s.time += dt;
    } else {
      idleTask += dTask;
      idleTime += dt;
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
