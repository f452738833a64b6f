// The webhook delivery log is bounded and kept in the store: past its bound the oldest attempt
// goes from memory and from the store alike, and a history opened on the same store (a restart,
// another process of a cluster) lists the same attempts, oldest first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertHistory } from '../../server/alerts/history.ts';
import { createLiveCatalog } from '../../server/catalog/catalog.ts';
import { defaultLogsets } from '../../server/catalog/default-catalog.ts';
import { manualClock } from '../../server/clock.ts';
import { defaultStoreConfig } from '../../server/store/config.ts';
import type { Store } from '../../server/store/contract.ts';
import { openStore } from '../../server/store/store.ts';

const T0 = 1_790_000_000_000;

describe('the alert delivery log', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flowdeck-deliveries-'));
    store = await openStore(defaultStoreConfig(dir), { clock: manualClock(T0) });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the newest attempts up to its bound, in memory and in the store', async () => {
    const clock = manualClock(T0);
    const deps = {
      store,
      catalog: createLiveCatalog(defaultLogsets(T0)),
      clock,
      rule: () => undefined,
      warn: (m: string) => {
        throw new Error(m);
      },
    };
    const limits = { maxEpisodes: 10, maxSilences: 10, maxDeliveries: 3 };
    const history = createAlertHistory(deps, {}, limits);
    for (let k = 1; k <= 5; k++)
      history.delivered({
        at: T0 + k,
        ruleId: 'rule-a',
        episode: 1,
        kind: 'firing',
        target: 'https://hooks.example.com',
        attempt: k,
        status: k < 5 ? 503 : 200,
        outcome: k < 5 ? 'retrying' : 'delivered',
      });
    expect(history.deliveries().map((d) => d.attempt)).toEqual([3, 4, 5]);
    await history.stored();
    const stored = await store.loadCatalog();
    const again = createAlertHistory(deps, { deliveries: stored?.alertDeliveries ?? [] }, limits);
    expect(again.deliveries()).toEqual(history.deliveries());
  });
});
