// A user in Chromium: the overview lists the topics, a click opens a dashboard with charts full of
// data, a live window arrives, a reload keeps the view, and the CCN topic draws its flow map.
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
import { mergeTop } from '../../client/lib/top.ts';

// 30x: a new 1-minute capture window every two real seconds, a 5-minute one every ten.
const args = ['--speed', '30', '--publish-delay', '5', '--jitter', '0', '--backfill', '60'];

describe('dashboards in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(args);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const num = async (attr: string) =>
    Number(await page.getAttribute('[data-testid="dashboard"]', attr));

  it('lists every topic on the overview and opens a dashboard with data', async () => {
    await page.goto(ctx.url);
    const cards = page.locator('[data-testid="topic-card"]');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(ctx.app.catalog.topics().length);

    const eni = ctx.app.catalog.topics().find((t) => t.format === 'eni')!;
    await page.locator(`[data-testid="topic-card"][data-topic-id="${eni.id}"]`).click();
    await page.waitForURL(`**/topics/${eni.id}`);
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
    for (const id of ['chart-ratio', 'chart-ratio-time', 'chart-top'])
      await page.locator(`[data-testid="${id}"][data-rendered="true"]`).waitFor();
    // An hour of 5-minute ENI capture windows.
    expect(await num('data-windows')).toBeGreaterThanOrEqual(10);
    expect(await num('data-step')).toBe(300_000);
    expect(await page.locator('[data-testid="top-row"]').count()).toBeGreaterThan(0);
    expect(await page.getAttribute('[data-testid="connection-status"]', 'data-state')).toBe('live');
    // It says how far its figures are final: the end of the newest complete window.
    const completeTo = await num('data-latest-complete');
    const hm = new Date(completeTo + 300_000).toTimeString().slice(0, 5);
    expect(await page.textContent('[data-testid="complete-to"]')).toContain(`complete up to ${hm}`);
    expect(await page.locator('[data-testid="stale-banner"]').count()).toBe(0);

    // The time charts are painted off the main thread (their canvases were handed to a worker, so
    // the page can no longer draw on them), and what the worker paints shows: the ACCEPT line.
    const traffic = '[data-testid="chart-traffic"]';
    await expect
      .poll(() => pixelsOfColour(page, traffic, PALETTES.dark.accept), { timeout: 30_000 })
      .toBeGreaterThan(100);
    expect(await canvasPainter(page, traffic)).toBe('worker');
    expect(await canvasPainter(page, '[data-testid="chart-ratio-time"]')).toBe('worker');

    // Hovering a bucket of the traffic chart tells its figures, beside the pointer.
    const box = (await page.locator('[data-testid="chart-traffic"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6);
    const tip = page.locator('[data-testid="chart-traffic"] [role="tooltip"]');
    await tip.waitFor({ state: 'visible' });
    for (const text of ['ACCEPT', 'REJECT', 'Total', 'REJECT share'])
      expect(await tip.textContent()).toContain(text);
    await page.mouse.move(box.x + 2, box.y + 2);
    await tip.waitFor({ state: 'hidden' });

    // A hovered quintuple has its hover text (made only for the one under the pointer): a top bar
    // its full figures, a table row the whole of its addresses. (Each read in one go: a live
    // window may change the row between two reads.)
    const bar = page.locator('[data-testid="top-bar"]').first();
    expect(await bar.getAttribute('title')).toBeNull();
    await bar.hover();
    await expect
      .poll(() =>
        bar.evaluate((el) =>
          el
            .getAttribute('title')
            ?.startsWith(`${el.querySelector('.label')?.textContent}\nSource `),
        ),
      )
      .toBe(true);
    const cell = page.locator('[data-testid="top-row"]').nth(1).locator('td.addr').first();
    await cell.hover();
    await expect
      .poll(() => cell.evaluate((el) => el.getAttribute('title') === el.textContent))
      .toBe(true);
    expect(await bar.getAttribute('title')).toBeNull();
    // A bar the keyboard focuses has it too (a screen reader reads it as the bar's description).
    const third = page.locator('[data-testid="top-bar"]').nth(2);
    await third.focus();
    await expect.poll(() => third.getAttribute('title')).toMatch(/\nSource .*\nDestination /);
  }, 90_000);

  it('paints the time charts on the page when the painting worker cannot load', async () => {
    const eni = ctx.app.catalog.topics().find((t) => t.format === 'eni')!;
    const traffic = '[data-testid="chart-traffic"]';
    await withWorkerBlocked(
      browser,
      /time-paint\.worker/,
      `${ctx.url}/topics/${eni.id}`,
      traffic,
      async (blocked) => {
        // The worker failed: each time chart took a canvas of its own and paints it here.
        await expectPaintedOnPage(blocked, traffic, 100);
        expect(await blocked.locator(`${traffic} canvas`).count()).toBe(1);
        // The pointer still works on the new canvas.
        const box = (await blocked.locator(traffic).boundingBox())!;
        await blocked.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6);
        await blocked.locator(`${traffic} [role="tooltip"]`).waitFor({ state: 'visible' });
      },
    );
  }, 90_000);

  it('merges a live window into the open dashboard', async () => {
    const before = await num('data-latest-window');
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid="dashboard"]');
        return (
          Number(el?.getAttribute('data-latest-window')) > prev &&
          Number(el?.getAttribute('data-updates')) > 0
        );
      },
      before,
      { timeout: 45_000 },
    );
    expect(await num('data-latest-window')).toBeGreaterThan(before);
  });

  it('hides a series clicked off in the legend, and the rest fills the axis', async () => {
    const traffic = '[data-testid="chart-traffic"]';
    const accept = page.locator('[data-testid="legend-item"][data-name="ACCEPT"]');
    const colour = (c: string) => pixelsOfColour(page, traffic, c);
    await expect.poll(() => colour(PALETTES.dark.accept), { timeout: 30_000 }).toBeGreaterThan(100);
    const rejectBefore = await colour(PALETTES.dark.reject);
    await accept.click();
    expect(await accept.getAttribute('aria-pressed')).toBe('false');
    // ACCEPT is gone from the plot, and REJECT, on its own scale, covers far more of it.
    await expect.poll(() => colour(PALETTES.dark.accept), { timeout: 30_000 }).toBeLessThan(5);
    await expect
      .poll(() => colour(PALETTES.dark.reject), { timeout: 30_000 })
      .toBeGreaterThan(rejectBefore + 200);
    await accept.click();
    expect(await accept.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => colour(PALETTES.dark.accept), { timeout: 30_000 }).toBeGreaterThan(100);
  });

  it('shows the latest complete window in every quintuple row one can see, also after scrolling', async () => {
    const eni = ctx.app.catalog.topics().find((t) => t.format === 'eni')!;
    // Rows one can see (not under the sticky header) and the window the page says is the latest
    // complete; the rows that window's top list has at their ranks, from the store.
    const seenRowsCurrent = async () => {
      const { latest, rows } = await page.evaluate(() => {
        const box = document
          .querySelector('[data-testid="table-top"]')!
          .closest('.panel-table')!
          .getBoundingClientRect();
        return {
          latest: Number(
            document
              .querySelector('[data-testid="dashboard"]')!
              .getAttribute('data-latest-complete'),
          ),
          rows: [...document.querySelectorAll<HTMLElement>('[data-testid="top-row"]')]
            .filter((tr) => {
              const r = tr.getBoundingClientRect();
              return r.bottom > box.top + 30 && r.top < box.bottom;
            })
            .map((tr) => ({ key: tr.dataset.key!, rank: Number(tr.dataset.index) })),
        };
      });
      await ctx.app.store.flush();
      const windows = await ctx.app.store.loadWindows(eni.id, latest, latest + 1);
      const expected = mergeTop(windows, 'latest').rows.map((r) => r.key);
      return rows.length > 0 && rows.every((r) => r.key === expected[r.rank]);
    };
    const scrollTable = (to: 'top' | 'bottom') =>
      page.evaluate((to) => {
        const el = document.querySelector('[data-testid="table-top"]')!.closest('.panel-table')!;
        el.scrollTop = to === 'top' ? 0 : el.scrollHeight;
      }, to);
    await scrollTable('top');
    const before = await num('data-latest-complete');
    // A new complete window: the rows in view show it.
    await page.waitForFunction(
      (prev) =>
        Number(
          document.querySelector('[data-testid="dashboard"]')?.getAttribute('data-latest-complete'),
        ) > prev,
      before,
      { timeout: 45_000 },
    );
    await expect.poll(seenRowsCurrent, { timeout: 30_000 }).toBe(true);
    // Scrolled to the last rows: they show it too (rows out of view catch up when seen).
    await scrollTable('bottom');
    await expect.poll(seenRowsCurrent, { timeout: 30_000 }).toBe(true);
    await scrollTable('top');
  }, 90_000);

  it('keeps the view on reload', async () => {
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
    expect(await page.getAttribute('[data-testid="dashboard"]', 'data-topic-id')).toBe(
      url.split('/').pop(),
    );
  });

  it("keeps the panels' choices in the URL: through a reload, Back, and a copied link", async () => {
    const radio = (group: string, name: string) =>
      page.locator(`[data-testid="${group}"] [role="radio"]`, { hasText: name });
    const legend = (name: string) =>
      page.locator(`[data-testid="legend-item"][data-name="${name}"]`);
    /** What a user sees chosen on the panels. */
    const chosen = async () => ({
      metric: await page
        .locator('[data-testid="traffic-metric"] [aria-checked="true"]')
        .textContent(),
      top: await page.locator('[data-testid="top-range"] [aria-checked="true"]').textContent(),
      table: await page.locator('[data-testid="top-pairing"] [aria-checked="true"]').textContent(),
      accept: await legend('ACCEPT').getAttribute('aria-pressed'),
      byPackets: await legend('by packets').getAttribute('aria-pressed'),
      pairTable: await page.locator('[data-testid="table-pairs"]').count(),
    });
    const base = page.url().split('?')[0]!;
    const entries = await page.evaluate(() => history.length);
    await radio('traffic-metric', 'packets/s').click();
    await legend('ACCEPT').click();
    await legend('by packets').click();
    await radio('top-range', 'Last 15 min').click();
    await radio('top-pairing', 'Conversations').click();
    await expect
      .poll(() => new URL(page.url()).search)
      .toBe('?metric=packets&top=15m&table=conversations&hide=ACCEPT,by%20packets');
    // Each choice replaced the URL: Back still leaves the dashboard, not a legend click.
    expect(await page.evaluate(() => history.length)).toBe(entries);
    const want = {
      metric: 'packets/s',
      top: 'Last 15 min',
      table: 'Conversations',
      accept: 'false',
      byPackets: 'false',
      pairTable: 1,
    };
    expect(await chosen()).toEqual(want);

    await page.reload();
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
    expect(await chosen()).toEqual(want);

    // The link, copied into a new tab.
    const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await other.goto(page.url());
      await other.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
      expect(
        await other.locator('[data-testid="traffic-metric"] [aria-checked="true"]').textContent(),
      ).toBe('packets/s');
      expect(
        await other
          .locator('[data-testid="legend-item"][data-name="ACCEPT"]')
          .getAttribute('aria-pressed'),
      ).toBe('false');
      expect(await other.locator('[data-testid="table-pairs"]').count()).toBe(1);
    } finally {
      await other.close();
    }

    // A range chosen on the picker is a new entry that keeps the choices; Back returns to the
    // hour with them.
    await page.locator('[data-testid="range-6h"]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('6h');
    expect(new URL(page.url()).searchParams.get('hide')).toBe('ACCEPT,by packets');
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBeNull();
    expect(await chosen()).toEqual(want);

    // Every choice back at its default: the URL says nothing of them.
    await radio('traffic-metric', 'bits/s').click();
    await legend('ACCEPT').click();
    await legend('by packets').click();
    await radio('top-range', 'Latest window').click();
    await radio('top-pairing', 'Quintuples').click();
    await expect.poll(() => page.url()).toBe(base);
  }, 90_000);

  it('draws the cross-region flow map and matrix of the CCN topic', async () => {
    const ccn = ctx.app.catalog.topics().find((t) => t.format === 'ccn')!;
    await page.goto(`${ctx.url}/topics/${ccn.id}`);
    await page.locator('[data-testid="chart-flowmap"][data-rendered="true"]').waitFor();
    await page.locator('[data-testid="chart-matrix"][data-rendered="true"]').waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
