// Drill-down as a user does it in Chromium: click a bar of the top quintuples, get the raw records
// whose total equals the bar's value, reload the URL and get the same view; the same from a time
// bucket of the traffic chart in a history range.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app.ts';
import {
  canvasPainter,
  expectPaintedOnPage,
  launchBrowser,
  pixelsOfColour,
  withWorkerBlocked,
} from '../helpers/browser.ts';
import { PALETTES } from '../../client/charts/palette.ts';

// Real time: windows publish once a minute, so the charts hold still while the test clicks.
const args = ['--publish-delay', '5', '--jitter', '0', '--backfill', '60'];

interface Target {
  x: number;
  y: number;
  bytes: number;
}

/**
 * Page coordinates of the middle of the thickest ACCEPT band of the traffic chart, from the chart instance the app registers, at
 * the moment of the click: the point is computed on every animation frame until it has held still
 * for five frames (the layout has settled and no new data moved the axes), so on a busy machine the
 * click lands where the chart says the point is. (A function, not a string: the page's CSP allows
 * no eval.)
 */
async function acceptBand(page: Page): Promise<Target> {
  const handle = await page.waitForFunction(
    () => {
      type Datum = { value: number | [number, number]; bytes?: number } | [number, number] | null;
      const w = window as unknown as {
        __flowdeckCharts: Map<string, unknown>;
        __target?: { key: string; same: number };
      };
      const chart = w.__flowdeckCharts.get('chart-traffic') as
        | {
            getOption(): { series: Array<{ id: string; data: Datum[] }> };
            convertToPixel(finder: object, value: unknown): [number, number];
            getDom(): HTMLElement;
          }
        | undefined;
      if (!chart) return false;
      const series = chart.getOption().series;
      const pairs = (sid: string) =>
        series
          .find((s) => s.id === sid)!
          .data.filter((d): d is NonNullable<Datum> => d !== null)
          .map((d) => (Array.isArray(d) ? d : (d.value as [number, number])));
      const reject = new Map(pairs('traffic-reject').map(([t, v]) => [t, v ?? 0]));
      // The bucket with the thickest ACCEPT band: the most room on either side of the click.
      const [t, v] = pairs('traffic-accept').reduce((a, b) => ((b[1] ?? 0) > (a[1] ?? 0) ? b : a));
      // ACCEPT is stacked on REJECT: aim at the middle of the ACCEPT band.
      const base = reject.get(t) ?? 0;
      const found = {
        px: chart.convertToPixel({ seriesId: 'traffic-accept' }, [t, base + v / 2]),
        bytes: -1,
      };
      const rect = chart.getDom().getBoundingClientRect();
      const target = { x: rect.left + found.px[0], y: rect.top + found.px[1], bytes: found.bytes };
      const key = `${Math.round(target.x)},${Math.round(target.y)},${target.bytes}`;
      const prev = w.__target;
      w.__target = { key, same: prev?.key === key ? prev.same + 1 : 0 };
      if (w.__target.same < 5) return false;
      w.__target = undefined;
      return target;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as Target;
}

/**
 * Page coordinates of a point on one of the flow map's lines, the thickest it can, from the charts at
 * the moment of the pointer: the lines' ends and bends from the lines' option, projected by the
 * land's chart (the same geo, drawn on the page), on ECharts' curve (a quadratic through the bend).
 * The point is the line's middle, or the nearest point along it clear of every region's node and
 * label (the pointer there would name the region) and of every other line (a hover and a click
 * there may each pick another): where the lines run depends on the traffic.
 */
async function thickestLine(page: Page): Promise<{ x: number; y: number }> {
  const handle = await page.waitForFunction(
    () => {
      type Line = {
        coords: [[number, number], [number, number]];
        lineStyle: { width: number; curveness: number };
      };
      type Node = { value: [number, number, number]; symbolSize: number };
      const charts = (window as unknown as { __flowdeckCharts: Map<string, unknown> })
        .__flowdeckCharts;
      const lines = charts.get('chart-flowmap') as
        { getOption(): { series?: Array<{ id: string; data: Array<Line | Node> }> } } | undefined;
      const land = charts.get('chart-flowmap-land') as
        { convertToPixel(f: object, v: number[]): number[]; getDom(): HTMLElement } | undefined;
      const series = lines?.getOption().series ?? [];
      const data = (series.find((s) => s.id === 'accept-lines')?.data ?? []) as Line[];
      const rejects = (series.find((s) => s.id === 'reject-lines')?.data ?? []) as Line[];
      const nodes = (series.find((s) => s.id === 'regions')?.data ?? []) as Node[];
      if (!land || data.length === 0 || nodes.length === 0) return false;
      const px = (c: number[]) => land.convertToPixel({ geoIndex: 0 }, c);
      const at = nodes.map((n) => ({ p: px(n.value.slice(0, 2)), r: n.symbolSize / 2 }));
      if (at.some(({ p }) => !p || !p.every(Number.isFinite))) return false;
      const rect = land.getDom().getBoundingClientRect();
      // Clear of a node (with its label on any side) and of the summary and legend rows.
      const clear = (x: number, y: number) =>
        y > 36 &&
        y < rect.height - 40 &&
        at.every(({ p, r }) => {
          const dx = Math.abs(x - p[0]!);
          const dy = Math.abs(y - p[1]!);
          return Math.hypot(dx, dy) > r + 12 && !(dx < 140 && dy < 22) && !(dx < 70 && dy < 38);
        });
      /** Points along a line's curve (ECharts' quadratic through the bend), t from 0 to 1. */
      const curve = (line: Line) => {
        const [a, b] = line.coords.map(px);
        if (!a || !b || !a.every(Number.isFinite) || !b.every(Number.isFinite)) return null;
        const c = line.lineStyle.curveness;
        const cp = [
          (a[0]! + b[0]!) / 2 - (a[1]! - b[1]!) * c,
          (a[1]! + b[1]!) / 2 - (b[0]! - a[0]!) * c,
        ];
        return (t: number): [number, number] => {
          const u = 1 - t;
          return [
            u * u * a[0]! + 2 * t * u * cp[0]! + t * t * b[0]!,
            u * u * a[1]! + 2 * t * u * cp[1]! + t * t * b[1]!,
          ];
        };
      };
      const all = [...data, ...rejects].map((line) => ({ line, at: curve(line) }));
      const samples = all.map(({ line, at }) => ({
        line,
        points: at ? Array.from({ length: 101 }, (_, i) => at(i / 100)) : [],
      }));
      const alone = (line: Line, x: number, y: number) =>
        samples.every(
          (o) =>
            o.line === line ||
            o.points.every(([ox, oy]) => Math.hypot(x - ox, y - oy) > 14 + o.line.lineStyle.width),
        );
      const byWidth = [...data].sort((a, b) => b.lineStyle.width - a.lineStyle.width);
      const ts = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75];
      for (const line of byWidth) {
        const along = all.find((l) => l.line === line)?.at;
        if (!along) continue;
        for (const t of ts) {
          const [x, y] = along(t);
          if (clear(x, y) && alone(line, x, y)) return { x: rect.left + x, y: rect.top + y };
        }
      }
      return false;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as { x: number; y: number };
}

describe('drill-down in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(args);
    await ctx.app.store.flush();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const explorer = '[data-testid="record-explorer"][data-state="ready"]';
  /** A topic's dashboard over a history range, loaded. */
  const openHistory = async (topicId: string, range: string) => {
    await page.goto(`${ctx.url}/topics/${topicId}?range=${range}`);
    await page
      .locator('[data-testid="dashboard"][data-mode="history"][data-loading="false"]')
      .waitFor();
  };
  const attr = async (selector: string, name: string) =>
    Number(await page.getAttribute(selector, name));

  it('opens the records behind a top-quintuple bar, and a reload keeps them', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'eni')!;
    await page.goto(`${ctx.url}/topics/${topic.id}`);
    const first = page.locator('[data-testid="top-bar"]').first();
    await first.waitFor();
    // The largest bar, as a user sees it: its label and value are on the button.
    const key = await first.getAttribute('data-key');
    const bar = { bytes: Number(await first.getAttribute('data-bytes')) };
    expect(bar.bytes).toBeGreaterThan(0);
    expect(await first.innerText()).toMatch(/→/);
    await page.locator(`[data-testid="top-bar"][data-key="${key}"]`).click();

    await page.locator(explorer).waitFor();
    expect(await attr('[data-testid="drill-panel"]', 'data-expected-bytes')).toBe(bar.bytes);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(bar.bytes);
    expect(await attr(explorer, 'data-total')).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="record-row"]').count()).toBeGreaterThan(0);
    // The filter is shown in the query language.
    const filter = await page.locator('[data-testid="drill-filter"]').innerText();
    expect(filter).toMatch(
      /srcaddr:\S+ AND srcport:\d+ AND dstaddr:\S+ AND dstport:\d+ AND protocol:\w+/,
    );

    const url = page.url();
    expect(url).toContain('drill=');
    const total = await attr(explorer, 'data-total');
    await page.reload();
    await page.locator(explorer).waitFor();
    expect(page.url()).toBe(url);
    expect(await attr(explorer, 'data-total')).toBe(total);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(bar.bytes);
  });

  it('opens the records behind a row of the quintuple table (a click anywhere on the row)', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'eni')!;
    await openHistory(topic.id, '6h');
    const row = page.locator('[data-testid="top-row"]').nth(1);
    await row.waitFor();
    const bytes = Number(await row.getAttribute('data-bytes'));
    expect(bytes).toBeGreaterThan(0);
    // The destination cell, not the rank button: the row itself takes the click.
    await row.locator('td.addr').nth(1).click();
    await page.locator(explorer).waitFor();
    expect(await attr('[data-testid="drill-panel"]', 'data-expected-bytes')).toBe(bytes);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(bytes);
    expect(await row.getAttribute('class')).toContain('selected');
  });

  it('opens the ACCEPT records of a traffic bucket in a 6-hour history range', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    await openHistory(topic.id, '6h');
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
    const bucket = await acceptBand(page);
    await page.mouse.click(bucket.x, bucket.y);
    await page.locator(explorer).waitFor();
    const expected = await attr('[data-testid="drill-panel"]', 'data-expected-bytes');
    expect(expected).toBeGreaterThan(0);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(expected);
    expect(await page.locator('[data-testid="drill-filter"]').innerText()).toMatch(/action:ACCEPT/);
    expect(errors).toEqual([]);
  });

  it('opens the records behind a cell of the region matrix, by pointer and by keyboard', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    await openHistory(topic.id, '6h');
    const cells = page.locator('[data-testid="matrix-cell"].on');
    await cells.first().waitFor();
    // A screen reader's view: the table has a caption and a header per row and column.
    const matrix = page.locator('[data-testid="chart-matrix"] table');
    expect(await matrix.locator('caption').innerText()).toMatch(/source region \(rows\)/);
    const n = await matrix.locator('thead th[scope="col"]').count();
    expect(await matrix.locator('tbody th[scope="row"]').count()).toBe(n - 1);
    expect(await page.locator('[data-testid="matrix-cell"]').count()).toBe((n - 1) ** 2);

    // The colour scale: the pointer on a piece steps back the cells of the other pieces.
    const piece = page.locator('[data-testid="matrix-scale"] li[data-piece]').first();
    const lit = await piece.getAttribute('data-piece');
    await piece.hover();
    const dimmed = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="matrix-cell"].on')].map(
          (td) => [td.dataset.piece, td.classList.contains('dim')] as const,
        ),
      );
    await expect.poll(async () => (await dimmed()).some(([, dim]) => dim)).toBe(true);
    for (const [p, dim] of await dimmed()) expect(dim).toBe(p !== lit);
    await page.mouse.move(0, 0);
    await expect.poll(async () => (await dimmed()).some(([, dim]) => dim)).toBe(false);

    // The pointer: the tooltip names the pair, and a click opens exactly its records.
    const cell = cells.nth(1);
    const [src, dst] = [await cell.getAttribute('data-src'), await cell.getAttribute('data-dst')];
    await cell.hover();
    const tip = page.locator('[data-testid="chart-matrix"] [role="tooltip"]');
    await expect.poll(() => tip.innerText()).toContain(`${src} → ${dst}`);
    await cell.click();
    await page.locator(explorer).waitFor();
    const filter = page.locator('[data-testid="drill-filter"]');
    // Both actions of the pair (a map line adds its action).
    expect(await filter.innerText()).toContain(`srcregionid:${src} AND dstregionid:${dst}\n`);
    const expected = await attr('[data-testid="drill-panel"]', 'data-expected-bytes');
    expect(expected).toBeGreaterThan(0);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(expected);

    // The keyboard: the matrix is one tab stop; an arrow key moves to the next pair's cell (its
    // tooltip shows), and Enter opens it.
    await page.goBack();
    await page.locator('[data-testid="drill-panel"]').waitFor({ state: 'detached' });
    const stop = page.locator('[data-testid="chart-matrix"] button[tabindex="0"]');
    expect(await stop.count()).toBe(1);
    await stop.focus();
    const focused = () =>
      page.evaluate(() => {
        const td = document.activeElement?.closest<HTMLElement>('td[data-testid="matrix-cell"]');
        return td ? { index: td.dataset.index, src: td.dataset.src, dst: td.dataset.dst } : null;
      });
    const from = await focused();
    await page.keyboard.press('ArrowDown');
    const to = (await focused())!;
    expect(to).not.toBeNull();
    expect(to.index).not.toBe(from!.index);
    expect(to.dst).toBe(from!.dst);
    await expect.poll(() => tip.innerText()).toContain(`${to.src} → ${to.dst}`);
    await page.keyboard.press('Enter');
    await page.locator(explorer).waitFor();
    expect(await filter.innerText()).toContain(`srcregionid:${to.src} AND dstregionid:${to.dst}\n`);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(
      await attr('[data-testid="drill-panel"]', 'data-expected-bytes'),
    );
    expect(errors).toEqual([]);
  });

  it('opens the records behind a line of the flow map, which its worker draws', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    await openHistory(topic.id, '6h');
    const map = '[data-testid="chart-flowmap"]';
    await page.locator(`${map}[data-rendered="true"]`).waitFor();
    // The lines' canvas was handed to the map's worker, and its lines are on screen.
    expect(await canvasPainter(page, map)).toBe('worker');
    await expect
      .poll(() => pixelsOfColour(page, map, PALETTES.dark.accept), { timeout: 30_000 })
      .toBeGreaterThan(200);

    // The pointer on a line: its tooltip names the pair, and a click opens that pair's records.
    const at = await thickestLine(page);
    await page.mouse.move(at.x, at.y);
    const tip = page.locator(`${map} [role="tooltip"]`);
    await tip.waitFor({ state: 'visible' });
    const [, src, dst] = /^(\S+) → (\S+):/.exec(await tip.innerText()) ?? [];
    expect(src).toBeTruthy();
    await page.mouse.click(at.x, at.y);
    await page.locator(explorer).waitFor();
    expect(await page.locator('[data-testid="drill-filter"]').innerText()).toMatch(
      new RegExp(`srcregionid:${src} AND dstregionid:${dst} AND action:(ACCEPT|REJECT)`),
    );
    const expected = await attr('[data-testid="drill-panel"]', 'data-expected-bytes');
    expect(expected).toBeGreaterThan(0);
    expect(await attr(explorer, 'data-sum-bytes')).toBe(expected);
    expect(errors).toEqual([]);
  });

  it('draws the flow map on the page when its worker cannot load', async () => {
    const topic = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    const map = '[data-testid="chart-flowmap"]';
    await withWorkerBlocked(
      browser,
      /flowmap\.worker/,
      `${ctx.url}/topics/${topic.id}?range=6h`,
      map,
      async (blocked) => {
        // The worker failed: ECharts draws the lines on the page, from the option as it stood.
        await expectPaintedOnPage(blocked, map, 200);
        // Its pointer works there too.
        const at = await thickestLine(blocked);
        await blocked.mouse.move(at.x, at.y);
        await expect
          .poll(() => blocked.locator(`${map} .fd-tooltip`).innerText(), { timeout: 30_000 })
          .toMatch(/^\S+ → \S+:/);
      },
    );
  }, 90_000);
});
