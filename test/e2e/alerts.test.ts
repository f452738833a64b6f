// Alerts as a NOC engineer meets them in Chromium: signs in as admin, writes a rule in the topic's
// rule editor (its 24 h preview first), pushes the records that break it, and sees it fire in the
// header, on the dashboard (the strip, the shaded window on the traffic chart) and on the wall;
// opens the records behind it (their total is the value the alert shows), and acknowledges it on
// the alerts page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushLines, startApp, TEST_TOKENS } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';

describe('alerts in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('fires a rule made in the editor on the dashboard and the wall, and opens its records', async () => {
    const topicId = 'topic-nat-prod';
    const topic = ctx.app.catalog.topic(topicId)!;
    expect(topic.streams).toHaveLength(1);

    await page.goto(`${ctx.url}/topics/${topicId}/settings`);
    await page.getByRole('button', { name: 'Sign in as admin' }).click();
    await page.getByLabel('Admin token').fill(TEST_TOKENS.admin);
    await page.locator('[data-testid="token-admin"] button[type="submit"]').click();

    // The editor, from scratch: name, records, measure, threshold.
    await page.locator('[data-testid="rule-new"]').click();
    const editor = page.locator('[data-testid="rule-editor"]');
    await editor.locator('input[name="name"]').fill('ssh rejects');
    await editor.locator('input[name="query"]').fill('action:REJECT AND dstport:22');
    await editor.locator('select[name="measure"]').selectOption('records');
    await editor.locator('select[name="op"]').selectOption('>');
    await editor.locator('input[name="threshold"]').fill('2');
    // The preview counts the last 24 hours: nothing was pushed yet, so it never fired.
    await editor.getByRole('button', { name: 'Preview 24 h' }).click();
    const count = page.locator('[data-testid="rule-preview-count"]');
    await count.waitFor();
    expect(await count.getAttribute('data-episodes')).toBe('0');
    await page.locator('[data-testid="rule-save"]').click();
    const row = page.locator('[data-testid="rule-row"]');
    await row.waitFor();
    expect(await row.innerText()).toContain('ssh rejects');
    const ruleId = await row.getAttribute('data-rule-id');

    // Three SSH rejects, and traffic the rule's query leaves out.
    const stream = topic.streams[0]!.id;
    const s = Math.floor(Date.now() / 1000) - 5;
    const line = (dstport: number, action: string) =>
      `2 1300428518 ${stream} 198.51.100.7 10.0.1.12 40000 ${dstport} 6 2 120 ${s} ${s + 3} ${action} OK`;
    await page.goto(`${ctx.url}/topics/${topicId}`);
    await page.locator('[data-testid="dashboard"]').waitFor();
    expect(
      await pushLines(ctx.url, topicId, [
        line(22, 'REJECT'),
        line(22, 'REJECT'),
        line(22, 'REJECT'),
        line(22, 'ACCEPT'),
        line(443, 'REJECT'),
      ]),
    ).toBe(200);

    // It fires on the open dashboard, with no reload: the strip, the header, the chart.
    const firing = page.locator(`[data-testid="alert-firing"][data-rule-id="${ruleId}"]`);
    await firing.waitFor({ timeout: 60_000 });
    expect(await firing.innerText()).toMatch(/ssh rejects\s+3 records\s+> 2 records/);
    expect(await page.locator('[data-testid="nav-alerts-count"]').innerText()).toBe('1');
    await page.waitForFunction(
      () => {
        const chart = window.__flowdeckCharts?.get('chart-traffic');
        const series = (
          chart?.getOption() as { series?: Array<{ markArea?: { data?: unknown[] } }> }
        )?.series;
        return (series?.[0]?.markArea?.data?.length ?? 0) === 1;
      },
      undefined,
      { timeout: 30_000 },
    );

    // Its records: exactly those that made it fire.
    await firing.locator('[data-testid="alert-records"]').click();
    const explorer = page.locator('[data-testid="record-explorer"][data-state="ready"]');
    await explorer.waitFor();
    expect(Number(await explorer.getAttribute('data-total'))).toBe(3);
    expect(await page.locator('[data-testid="drill-filter"]').innerText()).toContain('dstport:22');

    // The wall says it, in its headline.
    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    wall.on('pageerror', (e) => errors.push(e.message));
    await wall.goto(`${ctx.url}/wall?topics=${topicId}&every=600&range=1h`);
    const state = wall.locator('[data-testid="wall-alert"][data-firing="1"]');
    await state.waitFor();
    expect(await state.innerText()).toMatch(/FIRING[\s\S]*1 rule: ssh rejects/);

    // Acknowledged on the alerts page, signed with a name; the wall and the history show it.
    await page.goto(`${ctx.url}/alerts`);
    await page.locator('[data-testid="alerts-signed-as"]').fill('alice');
    await page.locator('[data-testid="alerts-firing"] [data-testid="episode-ack"]').click();
    await page.locator('[data-testid="alerts-firing"] td', { hasText: /^alice/ }).waitFor();
    const history = page.locator('[data-testid="alerts-history"] tbody tr');
    await history.first().waitFor();
    expect(await history.first().innerText()).toMatch(/ssh rejects[\s\S]*firing[\s\S]*alice/);
    await wall.close();
    expect(errors).toEqual([]);
  }, 180_000);
});
