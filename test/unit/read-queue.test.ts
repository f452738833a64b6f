// The history reads' fair queue: slots, turns between clients, per-client bounds, deadlines, and a
// client that goes away while waiting.
import { describe, expect, it } from 'vitest';
import { createReadQueue, ReadRefused } from '../../server/api/read-queue.ts';

/** A read that finishes when told, and says whether its signal aborted. */
function pending() {
  let finish!: (v: string) => void;
  let signal!: AbortSignal;
  const run = (s: AbortSignal) => {
    signal = s;
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      s.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  };
  return { run, finish: (v: string) => finish(v), aborted: () => signal?.aborted ?? false };
}

const never = new AbortController().signal;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('read queue', () => {
  it('runs at most maxActive, one per client, and lets clients take turns', async () => {
    const q = createReadQueue({
      maxActive: 2,
      perClientActive: 1,
      perClientQueued: 8,
      timeoutMs: 60_000,
    });
    const order: string[] = [];
    const reads = new Map<string, ReturnType<typeof pending>>();
    const start = (client: string, name: string) => {
      const p = pending();
      reads.set(name, p);
      return q.run(client, never, (s) => {
        order.push(name);
        return p.run(s);
      });
    };
    const a1 = start('a', 'a1');
    const a2 = start('a', 'a2');
    const a3 = start('a', 'a3');
    const b1 = start('b', 'b1');
    const c1 = start('c', 'c1');
    await tick();
    // a1 runs; a2 waits for a's slot; b1 takes the second slot.
    expect(order).toEqual(['a1', 'b1']);
    expect(q.metrics()).toMatchObject({ running: 2, waiting: 3 });
    reads.get('a1')!.finish('a1');
    await a1;
    await tick();
    // a2 was queued before c1 arrived, so it goes next ...
    expect(order).toEqual(['a1', 'b1', 'a2']);
    reads.get('b1')!.finish('b1');
    await b1;
    await tick();
    // ... but then c1 comes before a's third: a's backlog does not hold c back.
    expect(order).toEqual(['a1', 'b1', 'a2', 'c1']);
    for (const n of ['a2', 'c1']) reads.get(n)!.finish(n);
    await Promise.all([a2, c1]);
    await tick();
    expect(order.at(-1)).toBe('a3');
    reads.get('a3')!.finish('a3');
    expect(await a3).toBe('a3');
    expect(q.metrics()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('refuses a client with too many reads waiting (429); another client runs beside its backlog', async () => {
    const q = createReadQueue({
      maxActive: 2,
      perClientActive: 1,
      perClientQueued: 2,
      timeoutMs: 60_000,
    });
    const first = pending();
    const running = q.run('a', never, first.run);
    const backlog = [pending(), pending()];
    const waiting = backlog.map((p) => q.run('a', never, p.run));
    await expect(q.run('a', never, pending().run)).rejects.toMatchObject({
      status: 429,
      code: 'too_many_queries',
    });
    expect(q.metrics()).toMatchObject({ running: 1, waiting: 2, refused: 1 });
    // b takes the free slot at once, though a has two waiting.
    expect(await q.run('b', never, async () => 'b')).toBe('b');
    first.finish('a');
    await running;
    await tick();
    backlog[0]!.finish('a2');
    await tick();
    backlog[1]!.finish('a3');
    expect(await Promise.all(waiting)).toEqual(['a2', 'a3']);
  });

  it('aborts a read past its deadline (503) and a read whose client went away', async () => {
    const q = createReadQueue({
      maxActive: 1,
      perClientActive: 1,
      perClientQueued: 8,
      timeoutMs: 30,
    });
    const slow = pending();
    const err = await q.run('a', never, slow.run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadRefused);
    expect(err).toMatchObject({ status: 503, code: 'query_timeout' });
    expect(slow.aborted()).toBe(true);

    const q2 = createReadQueue({
      maxActive: 1,
      perClientActive: 1,
      perClientQueued: 8,
      timeoutMs: 60_000,
    });
    const blocker = pending();
    const blocking = q2.run('a', never, blocker.run);
    const gone = new AbortController();
    let ran = false;
    const queued = q2.run('b', gone.signal, async () => {
      ran = true;
      return 'x';
    });
    expect(q2.metrics().waiting).toBe(1);
    gone.abort();
    await expect(queued).rejects.toMatchObject({ code: 'gone' });
    // It left the queue without running.
    expect(q2.metrics()).toMatchObject({ waiting: 0, abandoned: 1 });
    blocker.finish('done');
    await blocking;
    expect(ran).toBe(false);
  });
});
