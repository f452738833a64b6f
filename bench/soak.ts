// The soak: the wall page in Chromium against the real server (`flowdeck serve` in a child
// process) at a high speed factor, rotating through every topic, for long enough that 24 simulated
// hours pass. Every 20 s it samples the page's JS heap (after a collection), DOM nodes and event
// listeners through the DevTools protocol (the lower of two readings 3 s apart), and the server's
// RSS through /api/health. Used by
// test/e2e/soak.test.ts (which requires the figures to stay flat) and `npm run bench soak`.
import { launchBrowser, wallDrawn } from '../test/helpers/browser.ts';
import { serveChild } from '../test/helpers/child-server.ts';
import { footprint, openProbe } from './browser-probe.ts';
import type { BenchRow } from './table.ts';

export interface SoakSample {
  atSec: number;
  heap: number;
  nodes: number;
  listeners: number;
  serverRss: number;
  /** Topic the wall shows. */
  topic: string;
}

export interface SoakResult {
  samples: SoakSample[];
  speed: number;
  minutes: number;
  /** Topics the wall showed during the run, in order of first appearance. */
  rotated: string[];
}

const TOPICS = ['topic-eni-prod', 'topic-nat-prod', 'topic-ccn-backbone', 'topic-audit-reject'];

export async function runSoak(
  opts: { simulatedHours?: number; minutes?: number; everyS?: number } = {},
): Promise<SoakResult> {
  const minutes = opts.minutes ?? 5;
  const speed = Math.ceil(((opts.simulatedHours ?? 24) * 60) / minutes);
  // As `npm start` runs it (a 1.5 GB V8 heap ceiling), with DuckDB held to 256 MB and two hours of
  // windows in memory: at the default 24 hours, memory rightly grows for the first simulated day
  // (about 33 KiB per settled window), which is the whole run; with two it is full within the first
  // half minute, and what the run then shows is whether anything else grows.
  const server = serveChild(
    [
      '--speed',
      String(speed),
      '--backfill',
      '60',
      '--db-memory',
      '256MB',
      '--window-memory-hours',
      '2',
    ],
    ['--max-old-space-size=1536'],
  );
  const browser = await launchBrowser();
  try {
    const url = await server.listening;
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${url}/wall?topics=${TOPICS.join(',')}&every=10&range=1h`);
    await page.locator('[data-testid="wall-rotation"]').waitFor({ timeout: 60_000 });
    const cdp = await openProbe(page);
    const samples: SoakSample[] = [];
    const rotated: string[] = [];
    const t0 = performance.now();
    const end = t0 + minutes * 60_000;
    const every = (opts.everyS ?? 20) * 1000;
    let next = t0;
    while (performance.now() < end) {
      const topic =
        (await page
          .locator('[data-testid="wall-rotation"]')
          .getAttribute('data-topic-id')
          .catch(() => null)) ?? '';
      if (topic && !rotated.includes(topic)) rotated.push(topic);
      if (performance.now() >= next) {
        next += every;
        // A page whose grid is drawn (as the wall test waits for it): a reading in the middle of
        // a rotation, the next topic's grid not built yet, held half the page's nodes.
        await wallDrawn(page, 15_000).catch(() => undefined);
        // Two readings 3 s apart, the lower kept: what a page holds for good shows in both, while
        // a page caught in the middle of a rotation on a starved CPU (the next topic's grid
        // drawing, the last one not yet collected) has settled by the second.
        const [first, health] = await Promise.all([
          footprint(cdp),
          fetch(`${url}/api/health`)
            .then((r) => r.json() as Promise<{ data: { memory: { rssBytes: number } } }>)
            .catch((err: Error) => {
              // The server is gone: say how it ended and what it said last.
              const tail = (s: string) => s.split('\n').slice(-15).join('\n');
              throw new Error(
                `the server did not answer /api/health (${err.message}); exited: ${server.exitedWith() ?? 'no'}\n` +
                  `stderr:\n${tail(server.errors())}\nstdout:\n${tail(server.output())}`,
              );
            }),
        ]);
        await new Promise((r) => setTimeout(r, 3_000));
        const second = await footprint(cdp);
        const fp = {
          heap: Math.min(first.heap, second.heap),
          nodes: Math.min(first.nodes, second.nodes),
          listeners: Math.min(first.listeners, second.listeners),
        };
        samples.push({
          atSec: (performance.now() - t0) / 1000,
          ...fp,
          serverRss: health.data.memory.rssBytes,
          topic,
        });
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await page.close();
    return { samples, speed, minutes, rotated };
  } finally {
    await browser.close();
    await server.stop();
  }
}

const MB = 1048576;

export function soakRows(r: SoakResult): BenchRow[] {
  const s = r.samples;
  const first = s[0];
  const last = s.at(-1);
  if (!first || !last) return [];
  const row = (what: string, f: (x: SoakSample) => number, unit: string, scale = 1) => ({
    name: `soak (wall, ${r.minutes} min at ${r.speed}x = ${Math.round((r.minutes * r.speed) / 60)} simulated h): ${what} start / end / max`,
    value: f(last) / scale,
    unit: `${unit} at end (start ${(f(first) / scale).toFixed(1)}, max ${(Math.max(...s.map(f)) / scale).toFixed(1)})`,
  });
  return [
    row('JS heap after GC', (x) => x.heap, 'MB', MB),
    row('DOM nodes', (x) => x.nodes, 'nodes'),
    row('event listeners', (x) => x.listeners, 'listeners'),
    row('server RSS', (x) => x.serverRss, 'MB', MB),
  ];
}

export async function benchSoak(): Promise<BenchRow[]> {
  const minutes = Number(process.env.FLOWDECK_BENCH_SOAK_MIN ?? 5);
  const r = await runSoak({ minutes });
  for (const x of r.samples)
    console.log(
      `soak @${Math.round(x.atSec)}s: heap ${(x.heap / MB).toFixed(1)} MB, ${x.nodes} nodes, ${x.listeners} listeners, server rss ${(x.serverRss / MB).toFixed(0)} MB, showing ${x.topic}`,
    );
  return soakRows(r);
}
