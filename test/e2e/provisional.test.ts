// A window still reporting is drawn provisional (dashed) and settles in place: a shipper pushes a
// capture window for two of the ENI topic's five log streams, the dashboard draws it dashed at its
// partial rate after the solid line of the complete window before; when the other three streams'
// records arrive, the same point becomes solid at the full rate, once, with nothing dashed left.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushLines, startApp } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';

const TOPIC = 'topic-eni-prod';
const WINDOW_MS = 300_000;

interface Series {
  id: string;
  data: Array<[number, number]>;
}

describe('a provisional window in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const push = async (lines: string[]) => expect(await pushLines(ctx.url, TOPIC, lines)).toBe(200);

  /** The traffic chart's series, as drawn. */
  const series = () =>
    page.evaluate(() => {
      const chart = window.__flowdeckCharts?.get('chart-traffic');
      const opt = chart?.getOption() as { series?: Series[] } | undefined;
      return (opt?.series ?? []).map((s) => ({ id: s.id, data: s.data }));
    });
  const xs = (all: Series[], id: string) =>
    all.find((s) => s.id === id)?.data.map((d) => d[0]) ?? [];
  const at = (all: Series[], id: string, t: number) =>
    all.find((s) => s.id === id)?.data.find((d) => d[0] === t)?.[1];

  /** Waits until the traffic chart's series `id` has a point at `t`. */
  const drawnAt = (id: string, t: number) =>
    page.waitForFunction(
      ([sid, at]) => {
        const chart = window.__flowdeckCharts?.get('chart-traffic');
        const s = (chart?.getOption() as { series?: Series[] } | undefined)?.series ?? [];
        return s.some((x) => x.id === sid && x.data.some((d) => d[0] === at));
      },
      [id, t] as const,
      { timeout: 30_000 },
    );

  it('draws the window dashed while streams report, then solid in the same place', async () => {
    const enis = ctx.app.catalog.topic(TOPIC)!.streams.map((s) => s.id);
    expect(enis.length).toBeGreaterThanOrEqual(3);
    const now = Date.now();
    const w = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const prev = w - WINDOW_MS;
    const line = (eni: string, startMs: number, bytes: number) => {
      const s = Math.floor(startMs / 1000);
      return `2 1300428518 ${eni} 10.0.1.12 10.0.2.8 51000 3306 6 10 ${bytes} ${s} ${s + 30} ACCEPT OK`;
    };
    // The window before: every stream reported. The current one: two streams so far.
    await push(enis.map((eni) => line(eni, prev + 60_000, 3_000_000)));
    await push(enis.slice(0, 2).map((eni) => line(eni, Math.max(w, now - 10_000), 1_500_000)));

    await page.goto(`${ctx.url}/topics/${TOPIC}`);
    await drawnAt('traffic-accept-pending', w);
    let drawn = await series();
    expect(xs(drawn, 'traffic-accept')).toContain(prev);
    expect(xs(drawn, 'traffic-accept')).not.toContain(w);
    // 2 x 1.5 MB over the 300 s window: 80 kbit/s, so far.
    expect(at(drawn, 'traffic-accept-pending', w)).toBeCloseTo((3_000_000 * 8) / 300, 0);

    await push(enis.slice(2).map((eni) => line(eni, Math.max(w, now - 10_000), 1_500_000)));
    await drawnAt('traffic-accept', w);
    drawn = await series();
    const solid = xs(drawn, 'traffic-accept');
    // Settled in place: the point is there once, after the window before, at the full rate.
    expect(solid.filter((t) => t === w)).toHaveLength(1);
    expect(solid.indexOf(w)).toBe(solid.indexOf(prev) + 1);
    expect(at(drawn, 'traffic-accept', w)).toBeCloseTo((enis.length * 1_500_000 * 8) / 300, 0);
    expect(xs(drawn, 'traffic-accept-pending')).toEqual([]);
  });
});
