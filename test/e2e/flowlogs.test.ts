// A new user in Chromium: signs in as admin, creates a flow log with the form (its problems shown
// on their fields first), opens the new topic's dashboard, pushes records with the CLI and watches
// the dashboard come alive, then finds the bad line in the rejected-lines view.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_TOKENS } from '../helpers/app.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { runCli } from '../helpers/child-server.ts';

const cli = (args: string[]) =>
  runCli(args, { env: { FLOWDECK_INGEST_TOKEN: TEST_TOKENS.ingest } });

describe('flow-log management in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const errors: string[] = [];

  beforeAll(async () => {
    ctx = await startApp(['--no-simulator']);
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-e2e-flowlogs-'));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything the page's Content-Security-Policy blocks is a failure too.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a flow log with the form, and its dashboard comes alive when records are pushed', async () => {
    // Another tab shows the overview the whole time: the new topic appears there without a reload.
    const overview = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    overview.on('pageerror', (e) => errors.push(e.message));
    await overview.goto(`${ctx.url}/`);
    await overview.locator('[data-testid="topic-card"]').first().waitFor();
    const cardsBefore = await overview.locator('[data-testid="topic-card"]').count();

    await page.goto(`${ctx.url}/flowlogs`);
    await page.locator('[data-testid="flowlog-row"]').first().waitFor();
    // A viewer sees the list, not the management actions.
    expect(await page.locator('[data-testid="create-flowlog"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Sign in as admin' }).click();
    await page.getByLabel('Admin token').fill(TEST_TOKENS.admin);
    await page.locator('[data-testid="token-admin"] button[type="submit"]').click();
    await page.locator('[data-testid="create-flowlog"]').click();
    await page.waitForURL('**/flowlogs/new');

    // Sent empty: each problem on its field.
    const form = page.locator('[data-testid="flowlog-form"]');
    await page.locator('[data-testid="create-submit"]').click();
    const problem = (field: string) => form.locator(`.field-error[data-field="${field}"]`);
    await problem('name').waitFor();
    expect(await problem('name').innerText()).toBe('the name is required');
    expect(await problem('vpcId').innerText()).toBe('the VPC is required');
    expect(await problem('subnetId').innerText()).toBe('the subnet is required');
    expect(await problem('resourceId').innerText()).toBe('the resource is required');

    await form.locator('input[name="name"]').fill('payments web-03');
    await form.locator('input[name="vpcId"]').fill('vpc-pay00001');
    await form.locator('input[name="subnetId"]').fill('subnet-pay00001');
    await form.locator('input[name="resourceId"]').fill('eni-pay00003');
    await form.locator('select[name="captureWindowSec"]').selectOption('60');
    await form.getByRole('button', { name: 'Add tag' }).click();
    await form.getByLabel('Tag 1 key').fill('env');
    await form.getByLabel('Tag 1 value').fill('prod');
    expect(await form.locator('.field-error').count()).toBe(0);
    await page.locator('[data-testid="create-submit"]').click();

    await page.waitForURL(/\/flowlogs\/fl-[a-z0-9]{8}$/);
    const flowLogId = page.url().split('/').pop()!;
    const fl = ctx.app.catalog.flowLog(flowLogId)!;
    expect(fl).toMatchObject({
      name: 'payments web-03',
      resourceId: 'eni-pay00003',
      captureWindowSec: 60,
      tags: { env: 'prod' },
    });
    await overview.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="topic-card"]').length === n + 1,
      cardsBefore,
    );
    expect(await overview.locator('[data-testid="topic-card"]').allInnerTexts()).toContainEqual(
      expect.stringContaining('payments web-03'),
    );
    await overview.close();
    // A new flow log says when its first records are expected.
    const state = page.locator('[data-testid="flowlog-state"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="flowlog-state"]')?.getAttribute('data-state') ===
        'waiting',
      undefined,
      { timeout: 10_000 },
    );
    expect(await state.innerText()).toMatch(/First records expected by \d\d:\d\d/);
    expect(await page.locator('[data-testid="immutable-note"]').innerText()).toMatch(
      /delete it and create a new one/,
    );

    // Its topic's dashboard, open before any record exists.
    await page.goto(`${ctx.url}/topics/${fl.topicId}`);
    await page.locator('[data-testid="dashboard"]').waitFor();
    expect(await page.getAttribute('[data-testid="dashboard"]', 'data-windows')).toBe('0');

    // Records pushed with the CLI (one bad line among them) reach the open dashboard.
    const t = Math.floor(Date.now() / 1000) - 150;
    const lines = Array.from(
      { length: 200 },
      (_, i) =>
        `2 1300428518 eni-pay00003 10.8.0.${i % 250} 203.0.113.9 ${40000 + i} 443 6 3 ${1000 + i} ${t} ${t + 50} ${i % 10 === 0 ? 'REJECT' : 'ACCEPT'} OK`,
    );
    lines.splice(
      57,
      0,
      '2 1300428518 eni-pay00003 10.8.0.1 203.0.113.9 40000 99999 6 3 100 1 2 ACCEPT OK',
    );
    await writeFile(join(dir, 'pay.log'), `${lines.join('\n')}\n`);
    const r = await cli([
      'ingest',
      '--server',
      ctx.url,
      '--topic',
      fl.topicId,
      join(dir, 'pay.log'),
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 201, accepted: 200, rejected: 1 });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="dashboard"]')?.getAttribute('data-windows')) >=
        1,
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();

    // The bad line is in the rejected-lines view, with its line number and reason.
    await page.locator('[data-testid="ingest-link"]').click();
    await page.waitForURL(`**/topics/${fl.topicId}/ingest`);
    const row = page.locator('[data-testid="rejected-line"]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-reason')).toBe('bad-port');
    expect(await row.innerText()).toMatch(/58[\s\S]*99999/);
    // The reason filter offers "all" and the one reason seen.
    expect(await page.locator('[data-testid="rejected-reason"] option').count()).toBe(2);

    // The topic is deleted (with its data, confirmed) while its dashboard is open: it says so.
    await page.goto(`${ctx.url}/topics/${fl.topicId}`);
    await page.locator('[data-testid="chart-traffic"][data-rendered="true"]').waitFor();
    const del = await fetch(`${ctx.url}/api/topics/${fl.topicId}?confirm=true`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    expect(del.status).toBe(200);
    expect(await page.locator('[data-testid="topic-deleted"]').innerText()).toMatch(
      /This topic was deleted/,
    );
    expect(errors).toEqual([]);
  }, 120_000);
});
