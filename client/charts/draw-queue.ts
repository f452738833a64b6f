// Chart draws, spread over animation frames. A live update changes several charts at once; drawn
// together they would hold the main thread for one long frame (each chart's layout and paint costs
// several ms). Queued here, each frame draws charts until FRAME_BUDGET_MS is spent (one at least)
// and leaves the rest to the next frames, so the page keeps answering input while it redraws.
// A chart queued again before its turn keeps its place and draws only its newest option.

/** Main-thread ms of drawing per frame before the rest waits for the next one. */
export const FRAME_BUDGET_MS = 8;

const jobs = new Map<object, () => void>();
let frame = 0;

function run(): void {
  frame = 0;
  const start = performance.now();
  try {
    for (const [key, job] of jobs) {
      jobs.delete(key);
      job();
      if (performance.now() - start >= FRAME_BUDGET_MS) break;
    }
  } finally {
    if (jobs.size > 0) frame = requestAnimationFrame(run);
  }
}

/** Draws `job` in a coming frame, replacing a draw of `key` still waiting. */
export function queueDraw(key: object, job: () => void): void {
  jobs.set(key, job);
  if (frame === 0) frame = requestAnimationFrame(run);
}

/** Forgets a waiting draw of `key` (its chart is gone). */
export function cancelDraw(key: object): void {
  jobs.delete(key);
}

/** Draws waiting, for tests. */
export function pendingDraws(): number {
  return jobs.size;
}
