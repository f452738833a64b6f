// The browser's side, measured in Debian's Chromium through the DevTools protocol against the
// real server (`flowdeck serve` in a child process, the simulator at 10x: a 1-minute window about
// every 6 s): the first load to the first chart drawn and the bytes it transferred, the main-thread
// work per live update on a dashboard (NAT, and CCN with its map and matrix) and on the wall, and
// the idle main thread between updates. Beside each, its peer in the same run: a fixed reference
// update (reference-page.ts) measured at the same time in the same browser, and the page's cost as
// a multiple of it. Each update's main-thread time is given on two clocks: the wall clock (how long
// its tasks held the main thread, including the time they waited for one of the two cores and for
// the compositor's commit) and the thread's own CPU time (the work alone).
// And the server's time to answer 100 subscribes at once, beside one alone.
import type { Browser } from 'playwright-core';
import { connectClient, type TestSocket } from '../test/helpers/app.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { serveChild } from '../test/helpers/child-server.ts';
import { openProbe, percentile, sampleTasks, updateCost, watchUpdates } from './browser-probe.ts';
import { REFERENCE_PAGE } from './reference-page.ts';
import type { BenchRow } from './table.ts';

const DASHBOARD = '/topics/topic-nat-prod';
// The CCN topic's dashboard adds the flow map and the region matrix (ECharts) to the same grid.
const CCN_DASHBOARD = '/topics/topic-ccn-backbone';
// Two topics kept warm, and no rotation while it is measured: a rotation rebuilds the chart grid
// (a few hundred ms), which is neither an update nor rest.
const WALL_TOPICS = ['topic-nat-prod', 'topic-ccn-backbone'];
const SAMPLE_S = Number(process.env.FLOWDECK_BENCH_BROWSER_S ?? 60);

/**
 * The wall's seconds per topic for a sample starting now and lasting `spanS`: the rotation runs on
 * the clock (every screen shows the same topic at the same time), so a fixed `every` would rotate
 * within some runs' sample and not others'. This one shows the first topic (NAT, the CCN topic
 * kept warm beside it) for the whole sample, in every run.
 */
export function wallEvery(nowMs: number, spanS: number, topics: number): number {
  const t = nowMs / 1000;
  for (let every = 600; ; every++) {
    const slot = Math.floor(t / every);
    if (slot % topics === 0 && (slot + 1) * every - t > spanS) return every;
  }
}

// The dashboard's topic publishes a window every 6 s here: twice the time, about 20 revisions, so
// that its p50 is not one noisy revision from another (the wall sees two topics, about 30).
const DASHBOARD_SAMPLE_S = 2 * SAMPLE_S;

async function firstLoad(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // The app's code and styles (the page, scripts, stylesheets, fonts, images) apart from its data
  // (API answers, socket.io's polling): how much data comes by then depends on the transport.
  const kinds = new Map<string, string>();
  cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, e.type));
  let bytes = 0;
  let dataBytes = 0;
  cdp.on('Network.loadingFinished', (e) => {
    const kind = kinds.get(e.requestId);
    if (kind === 'XHR' || kind === 'Fetch' || kind === 'WebSocket')
      dataBytes += e.encodedDataLength;
    else bytes += e.encodedDataLength;
  });
  await page.goto(`${url}${DASHBOARD}`, { waitUntil: 'commit' });
  // performance.now() counts from the navigation's start.
  const ms = await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="chart-traffic"][data-rendered="true"]')
        ? performance.now()
        : false,
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const firstChartMs = (await ms.jsonValue()) as number;
  const transferred = bytes;
  const data = dataBytes;
  await context.close();
  return { firstChartMs, transferred, data };
}

async function liveCost(browser: Browser, url: string, path: string, seconds: number) {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${url}${path}`);
  await page.locator('[data-rendered="true"]').first().waitFor({ timeout: 60_000 });
  // Let the first snapshot settle before measuring.
  await new Promise((r) => setTimeout(r, 3_000));
  const cdp = await openProbe(page);
  const updates = await watchUpdates(page);
  // The peer, sampled over the same seconds.
  const peer = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await peer.setContent(REFERENCE_PAGE);
  const peerCdp = await openProbe(peer);
  const peerUpdates = await watchUpdates(peer);
  const [own, ref] = await Promise.all([
    sampleTasks(cdp, updates, seconds),
    sampleTasks(peerCdp, peerUpdates, seconds),
  ]);
  await page.close();
  await peer.close();
  return {
    ...updateCost(own),
    reference: updateCost(ref),
    cpu: updateCost(own, 'cpu'),
    referenceCpu: updateCost(ref, 'cpu'),
  };
}

async function subscribes(url: string) {
  const subscribe = (s: TestSocket) =>
    new Promise<void>((done) =>
      s.emit('topic:subscribe', { topicId: 'topic-ccn-backbone' }, () => done()),
    );
  const sockets = await Promise.all(Array.from({ length: 100 }, () => connectClient(url)));
  try {
    const one = await connectClient(url);
    let t = performance.now();
    await subscribe(one);
    const alone = performance.now() - t;
    one.close();
    t = performance.now();
    await Promise.all(sockets.map(subscribe));
    return { alone, hundred: performance.now() - t };
  } finally {
    for (const s of sockets) s.close();
  }
}

export async function benchBrowser(): Promise<BenchRow[]> {
  const server = serveChild(['--speed', '10', '--backfill', '60']);
  const browser = await launchBrowser();
  try {
    const url = await server.listening;
    const load = await firstLoad(browser, url);
    const dash = await liveCost(browser, url, DASHBOARD, DASHBOARD_SAMPLE_S);
    const ccn = await liveCost(browser, url, CCN_DASHBOARD, SAMPLE_S);
    // The page's load and settling, then the sample, with a minute to spare.
    const every = wallEvery(Date.now(), SAMPLE_S + 120, WALL_TOPICS.length);
    const wallPath = `/wall?topics=${WALL_TOPICS.join(',')}&every=${every}&range=1h`;
    const wall = await liveCost(browser, url, wallPath, SAMPLE_S);
    const subs = await subscribes(url);
    const rows: BenchRow[] = [
      {
        name: 'browser: first load to first chart drawn (dashboard, empty cache)',
        value: load.firstChartMs,
        unit: 'ms',
      },
      {
        name: 'browser: code and styles transferred by then (compressed)',
        value: load.transferred / 1024,
        unit: 'KB',
        target: 'first load < 300 KB',
      },
      {
        name: 'browser:   and data (API answers, socket.io polling)',
        value: load.data / 1024,
        unit: 'KB',
      },
    ];
    for (const [what, c] of [
      ['dashboard', dash],
      ['CCN dashboard', ccn],
      ['wall (NAT shown, CCN kept warm)', wall],
    ] as const) {
      const p50 = percentile(c.perUpdateMs, 50);
      const ref = percentile(c.reference.perUpdateMs, 50);
      const cpuP50 = percentile(c.cpu.perUpdateMs, 50);
      const refCpu = percentile(c.referenceCpu.perUpdateMs, 50);
      rows.push(
        {
          name: `browser: ${what}, main thread per live revision, wall clock (waits included), p50 (${c.updates} revisions, ${c.perCommitMs.length} redraws in ${Math.round(c.seconds)} s)`,
          value: p50,
          unit: `ms (${(p50 / ref).toFixed(2)}x the reference update)`,
          target: '<= 16 ms',
        },
        {
          name: `browser:   reference update at the same time (peer page: 20 table rows and a sparkline rewritten; ${c.reference.updates} updates), p50`,
          value: ref,
          unit: 'ms',
        },
        {
          name: `browser: ${what}, main thread per live revision, its own CPU time, p50`,
          value: cpuP50,
          unit: `ms (${(cpuP50 / refCpu).toFixed(2)}x the reference's ${refCpu.toFixed(2)} ms)`,
          target: '<= 16 ms',
        },
        {
          name: `browser: ${what}, main thread per live revision, wall clock, p99`,
          value: percentile(c.perUpdateMs, 99),
          unit: 'ms',
        },
        {
          name: `browser: ${what}, main-thread ms per redraw (a burst of revisions), p50 / p99`,
          value: percentile(c.perCommitMs, 50),
          unit: `ms / ${percentile(c.perCommitMs, 99).toFixed(1)} ms`,
        },
        {
          name: `browser: ${what}, idle main thread busy`,
          value: c.idleBusy * 100,
          unit: '%',
          target: '< 2%',
        },
      );
    }
    rows.push(
      {
        name: 'server: one subscribe alone (largest snapshot, CCN)',
        value: subs.alone,
        unit: 'ms',
      },
      {
        name: 'server: 100 simultaneous subscribes, all answered',
        value: subs.hundred,
        unit: `ms (${(subs.hundred / Math.max(0.1, subs.alone)).toFixed(1)}x one alone)`,
      },
    );
    return rows;
  } finally {
    await browser.close();
    await server.stop();
  }
}
