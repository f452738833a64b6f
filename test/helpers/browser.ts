// Debian's Chromium driven by playwright-core; .ci/run installs it (apt-get install chromium).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PALETTES } from '../../client/charts/palette.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (as .ci/run does)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}

/**
 * `use` given a page, in a browser context of its own, at `url` with the worker whose script URL
 * matches `worker` unable to load, once the chart `chart` (a selector) says it was drawn: the
 * charts' fallback to the page's main thread. The context is closed after.
 */
export async function withWorkerBlocked(
  browser: Browser,
  worker: RegExp,
  url: string,
  chart: string,
  use: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.route(worker, (route) => route.abort());
    await page.goto(url);
    await page.locator(`${chart}[data-rendered="true"]`).waitFor();
    await use(page);
  } finally {
    await context.close();
  }
}

/**
 * Waits until the chart `selector` is painted by the page itself (its worker gone) and shows more
 * than `accentPixels` pixels of the dark theme's ACCEPT colour: the fallback drew its data.
 */
export async function expectPaintedOnPage(
  page: Page,
  selector: string,
  accentPixels: number,
): Promise<void> {
  await expect.poll(() => canvasPainter(page, selector), { timeout: 30_000 }).toBe('page');
  await expect
    .poll(() => pixelsOfColour(page, selector, PALETTES.dark.accept), { timeout: 30_000 })
    .toBeGreaterThan(accentPixels);
}

/** Who paints the chart's canvas: the painting worker it was handed to (the page then gets no
 * context of it), or the page. */
export function canvasPainter(page: Page, selector: string): Promise<'worker' | 'page' | null> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
    if (!canvas) return null;
    try {
      return canvas.getContext('2d') ? 'page' : null;
    } catch {
      return 'worker';
    }
  }, selector);
}

/**
 * How many pixels of the element, as it shows on screen (a screenshot: what the compositor
 * presents, whichever thread painted it), are within `tolerance` of the colour `hex` (#rrggbb).
 * Decoded by the page's own image decoder.
 */
export async function pixelsOfColour(
  page: Page,
  selector: string,
  hex: string,
  tolerance = 40,
): Promise<number> {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(
    async ({ data, hex, tolerance }) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        const d = Math.hypot(px[i]! - want[0]!, px[i + 1]! - want[1]!, px[i + 2]! - want[2]!);
        if (d <= tolerance) n++;
      }
      return n;
    },
    { data: png.toString('base64'), hex, tolerance },
  );
}

/**
 * Waits until the wall's grid is drawn: traffic, action ratio, REJECT share, top quintuples and
 * protocols (the canvas charts draw in the frames after the figures).
 */
export async function wallDrawn(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (sel) => document.querySelectorAll(sel).length >= 5,
    '[data-testid="wall"] [data-testid^="chart-"][data-rendered="true"]',
    { timeout },
  );
}
