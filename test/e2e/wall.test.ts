// The NOC wall in Chromium at 1920x1080 and 3840x2160: it fills the screen without scrollbars or
// a cursor, its headline numbers are at least 6% of the screen's height, it rotates through the
// chosen topics with complete dashboards, and says in a full-width alert when the server is gone.
// The setup page builds the wall's link.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../helpers/app.ts';
import { launchBrowser, wallDrawn } from '../helpers/browser.ts';

const args = ['--speed', '30', '--publish-delay', '5', '--jitter', '0', '--backfill', '60'];
const TOPICS = ['topic-ccn-backbone', 'topic-eni-prod'];

describe('the wall in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(args);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  async function open(width: number, height: number, search: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${ctx.url}/wall?${search}`);
    await page.locator('[data-testid="wall-rotation"]').waitFor();
    // A complete window is shown (its figures are current).
    await page.waitForFunction(
      () => document.querySelector('[data-testid="wall-throughput"]')?.textContent?.trim() !== '–',
      undefined,
      { timeout: 30_000 },
    );
    return page;
  }

  for (const [width, height] of [
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    it(`fills ${width}x${height} without scrolling or a cursor, headline numbers >= 6% of its height`, async () => {
      const page = await open(width, height, `topics=${TOPICS.join(',')}&every=30&range=1h`);
      try {
        await wallDrawn(page);
        const m = await page.evaluate(() => {
          const root = document.scrollingElement!;
          const stage = document.querySelector<HTMLElement>('.stage')!;
          const zoom = Number(stage.dataset.zoom);
          const sizes = ['wall-throughput', 'wall-reject'].map((id) => {
            const el = document.querySelector(`[data-testid="${id}"]`)!;
            return parseFloat(getComputedStyle(el).fontSize) * zoom;
          });
          // Every headline figure is shown whole (a long talker or state shrinks to fit).
          const cut = [
            ...document.querySelectorAll<HTMLElement>('[data-testid="wall-headline"] .value'),
          ]
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .map((el) => el.textContent);
          // And every note, with a long throughput note (a volume drop) and two rules firing among
          // them: up to two lines, not cut. (Set and measured in one go, before the page's next update.)
          // The headline keeps its height whatever the notes say: a note that wraps must not resize
          // every chart under it (a jump on the wall, and a redraw of each chart).
          const headline = document.querySelector<HTMLElement>('[data-testid="wall-headline"]')!;
          const notes = [...headline.querySelectorAll<HTMLElement>('.note')];
          for (const n of notes) n.textContent = 'ok';
          const shortHeight = headline.getBoundingClientRect().height;
          notes[0]!.textContent = "latest window · 21.2% of the previous hour's median";
          notes.at(-1)!.textContent = '2 rules: REJECT share above 5% · SSH/RDP and port scan';
          const cutNotes = notes
            .filter(
              (el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
            )
            .map((el) => el.textContent);
          return {
            cut,
            cutNotes,
            heights: [shortHeight, headline.getBoundingClientRect().height],
            scrollW: root.scrollWidth,
            scrollH: root.scrollHeight,
            w: innerWidth,
            h: innerHeight,
            sizes,
            cursor: getComputedStyle(document.querySelector('[data-testid="wall"]')!).cursor,
            controls: document.querySelectorAll(
              '[data-testid="wall"] button, [data-testid="wall"] input',
            ).length,
          };
        });
        expect(m.scrollW).toBeLessThanOrEqual(m.w);
        expect(m.scrollH).toBeLessThanOrEqual(m.h);
        for (const px of m.sizes) expect(px).toBeGreaterThanOrEqual(0.06 * height);
        expect(m.cut).toEqual([]);
        expect(m.cutNotes).toEqual([]);
        expect(m.heights[1]).toBe(m.heights[0]);
        expect(m.cursor).toBe('none');
        expect(m.controls).toBe(0);
      } finally {
        await page.close();
      }
    }, 60_000);
  }

  it('rotates through the chosen topics, each shown complete at once', async () => {
    const page = await open(1920, 1080, `topics=${TOPICS.join(',')}&every=5`);
    try {
      const shown = () =>
        page.getAttribute('[data-testid="wall-rotation"]', 'data-topic-id') as Promise<string>;
      const first = await shown();
      expect(TOPICS).toContain(first);
      const other = TOPICS.find((t) => t !== first)!;
      await page.waitForFunction(
        (id) =>
          document.querySelector('[data-testid="wall-rotation"]')?.getAttribute('data-topic-id') ===
          id,
        other,
        { timeout: 30_000 },
      );
      // Kept warm: the next topic's figures are there the moment it is shown.
      const throughput = await page.textContent('[data-testid="wall-throughput"]');
      expect(throughput?.trim()).not.toBe('–');
      expect(await page.textContent('[data-testid="wall-complete-to"]')).toMatch(/complete up to/);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('builds its link on the setup page', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(`${ctx.url}/wall/setup`);
      await page.locator(`[data-testid="wall-topic-${TOPICS[1]}"]`).check();
      await page.locator(`[data-testid="wall-topic-${TOPICS[0]}"]`).check();
      await page.locator('[data-testid="wall-every"]').fill('12');
      await page.locator('[data-testid="wall-range"]').selectOption('6h');
      const href = await page.inputValue('[data-testid="wall-href"]');
      expect(new URL(href).pathname + new URL(href).search).toBe(
        `/wall?topics=${TOPICS[1]},${TOPICS[0]}&every=12&range=6h&theme=dark`,
      );
      await page.locator('[data-testid="wall-open"]').click();
      await page.locator('[data-testid="wall-rotation"]').waitFor();
      expect(await page.getAttribute('[data-testid="wall-rotation"]', 'data-count')).toBe('2');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('says in a full-width alert when the server is gone, on the wall and the overview', async () => {
    const page = await open(1920, 1080, `topics=${TOPICS[0]}`);
    const overview = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await overview.goto(ctx.url);
      await overview.locator('[data-testid="topic-card"][data-status="live"]').first().waitFor();
      expect(await overview.locator('[data-testid="stale-banner"]').count()).toBe(0);
      expect(await page.locator('[data-testid="wall-stale"]').count()).toBe(0);
      await ctx.stop();
      // The overview: a full-width alert, and no card still says live.
      const alert = overview.locator('[role="alert"][data-testid="stale-banner"]');
      await alert.waitFor({ timeout: 30_000 });
      expect((await alert.boundingBox())!.width).toBeGreaterThan(0.95 * 1600);
      expect(await overview.locator('[data-testid="topic-card"][data-status="live"]').count()).toBe(
        0,
      );
      const banner = page.locator('[role="alert"][data-testid="wall-stale"]');
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.textContent()).toMatch(/not current/);
      const box = await banner.boundingBox();
      expect(box!.width).toBeGreaterThan(0.95 * 1920);
      expect(await page.getAttribute('[data-testid="wall-alert"]', 'class')).toMatch(/level-alert/);
      expect(
        consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION|Failed to load/.test(e)),
      ).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
