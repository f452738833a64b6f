// The live tail in Chromium, fed by a shipper's pushes: records appear as they are committed,
// following the dashboard's query; pause freezes the rows and counts what arrives ("N new while
// paused"); resume shows the newest. Also the topic's settings page sets a threshold that the
// dashboard then colours by.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushLines, startApp, TEST_TOKENS } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';

const TOPIC = 'topic-nat-prod';
const now = () => Math.floor(Date.now() / 1000);
let port = 40000;
const natLine = (t: number, action = 'ACCEPT') =>
  `2 1300428518 nat-4fq8l2tw 10.0.2.7 203.0.113.9 ${port++} 443 6 3 1200 ${t} ${t + 50} ${action} OK`;

describe('the live tail in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  const push = async (lines: string[]) => expect(await pushLines(ctx.url, TOPIC, lines)).toBe(200);

  async function open(search = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}/topics/${TOPIC}${search}`);
    await page.getByTestId('tail-toggle').click();
    // Subscribed: the panel names the query it follows.
    await page.waitForFunction(
      () =>
        !document.querySelector('[data-testid="live-tail"] .follow')?.textContent?.includes('…'),
    );
    return page;
  }

  const rows = (page: Page) => page.getByTestId('tail-row');
  const waitRows = (page: Page, n: number) =>
    page.waitForFunction(
      (want) => document.querySelectorAll('[data-testid="tail-row"]').length === want,
      n,
      { timeout: 30_000 },
    );

  it('lists records as they are pushed, pauses with a count, and resumes with the newest', async () => {
    const page = await open();
    try {
      const t = now() - 120;
      await push(Array.from({ length: 5 }, () => natLine(t)));
      await waitRows(page, 5);

      await page.getByRole('button', { name: 'Pause' }).click();
      await push(Array.from({ length: 7 }, () => natLine(t, 'REJECT')));
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="tail-new"]')?.textContent?.trim() ===
          '7 new while paused',
        undefined,
        { timeout: 30_000 },
      );
      // Frozen while paused.
      expect(await rows(page).count()).toBe(5);

      await page.getByRole('button', { name: 'Resume' }).click();
      await waitRows(page, 12);
      // Newest on top: the REJECTs pushed while paused.
      expect(await rows(page).first().locator('.action').textContent()).toBe('REJECT');
      expect(await rows(page).last().locator('.action').textContent()).toBe('ACCEPT');
    } finally {
      await page.close();
    }
  });

  it("follows the dashboard's query", async () => {
    const page = await open(`?q=${encodeURIComponent('action:REJECT')}`);
    try {
      const t = now() - 60;
      await push([natLine(t), natLine(t, 'REJECT'), natLine(t), natLine(t, 'REJECT')]);
      await waitRows(page, 2);
      const actions = await page.locator('[data-testid="tail-row"] .action').allTextContents();
      expect(actions).toEqual(['REJECT', 'REJECT']);
      expect(await page.locator('[data-testid="live-tail"] .follow').textContent()).toContain(
        'action:REJECT',
      );
    } finally {
      await page.close();
    }
  });

  it('flags a conversation whose request was ACCEPTed and whose reply was REJECTed', async () => {
    // The AWS documentation's ping through a stateless network ACL (public vectors), as written
    // by this topic's NAT gateway, in a window that is complete (the topic has one stream).
    const t = now() - 30;
    await push([
      `2 123456789010 nat-4fq8l2tw 203.0.113.12 172.31.16.139 0 0 1 4 336 ${t} ${t + 50} ACCEPT OK`,
      `2 123456789010 nat-4fq8l2tw 172.31.16.139 203.0.113.12 0 0 1 4 336 ${t + 5} ${t + 50} REJECT OK`,
    ]);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(`${ctx.url}/topics/${TOPIC}`);
      // Over the last 15 minutes, whichever minute the pair fell in.
      await page.getByTestId('top-range').getByText('Last 15 min').click();
      await page.getByTestId('top-pairing').getByText('Conversations').click();
      const flagged = page.locator('[data-testid="pair-row"][data-flagged="true"]');
      await flagged.first().waitFor({ timeout: 30_000 });
      expect(await flagged.count()).toBe(1);
      expect(await flagged.locator('td').nth(1).textContent()).toBe('203.0.113.12:0');
      expect(await page.getByTestId('pairs-flagged').textContent()).toContain(
        'request ACCEPTed and the reply REJECTed',
      );
    } finally {
      await page.close();
    }
  });

  it("sets a topic's REJECT threshold on its settings page", async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(`${ctx.url}/topics/${TOPIC}/settings`);
      await page.getByLabel('Admin token').fill(TEST_TOKENS.admin);
      await page.getByRole('button', { name: /sign in|unlock|use token/i }).click();
      const form = page.getByTestId('topic-settings-form');
      await form.locator('input[name="rejectWarn"]').fill('0.5');
      await form.locator('input[name="rejectAlert"]').fill('0.2');
      await form.getByRole('button', { name: 'Save' }).click();
      // Refused, with the field's reason beside it.
      await expect
        .poll(() => form.getByRole('alert').first().textContent())
        .toBe('the REJECT warning share is at most the alert share');
      await form.locator('input[name="rejectAlert"]').fill('2');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect(ctx.app.catalog.topic(TOPIC)?.thresholds).toEqual({
        rejectWarn: 0.005,
        rejectAlert: 0.02,
      });
    } finally {
      await page.close();
    }
    expect(errors).toEqual([]);
  });
});
