// The connection badge's state: live, reconnecting (socket down), stale (connected, data old).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../client/lib/connection.svelte.ts';
import type { AppSocket } from '../../client/lib/socket.ts';
import { formatClock } from '../../client/lib/format.ts';

type Handler = () => void;

function fakeSocket(connected: boolean) {
  const handlers = new Map<string, Handler[]>();
  return {
    connected,
    on(event: string, fn: Handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
      return this;
    },
    fire(event: string) {
      for (const fn of handlers.get(event) ?? []) fn();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2026, 10, 21, 13, 0, 0));
});
afterEach(() => vi.useRealTimers());

describe('Connection', () => {
  it('is live while connected and the feed says its data is fresh, then stale', () => {
    const socket = fakeSocket(true);
    const c = new Connection(socket as unknown as AppSocket);
    const lastDataAt = Date.now();
    c.watch({ staleAt: lastDataAt + 30_000, lastDataAt });
    expect(c.state).toBe('live');
    expect(c.label).toBe('Live');
    vi.advanceTimersByTime(31_000);
    expect(c.state).toBe('stale');
    expect(c.label).toBe(`Stale since ${formatClock(lastDataAt)}`);
  });

  it('is reconnecting while the socket is down, stale since the last data', () => {
    const socket = fakeSocket(true);
    const c = new Connection(socket as unknown as AppSocket);
    const lastDataAt = Date.now() - 5_000;
    const unwatch = c.watch({ staleAt: null, lastDataAt });
    socket.connected = false;
    socket.fire('disconnect');
    expect(c.state).toBe('reconnecting');
    expect(c.label).toBe(`Reconnecting… stale since ${formatClock(lastDataAt)}`);
    socket.fire('connect');
    expect(c.state).toBe('live');
    unwatch();
    expect(c.since).toBeNull();
  });

  it('says connecting before the first connection', () => {
    const c = new Connection(fakeSocket(false) as unknown as AppSocket);
    expect(c.state).toBe('reconnecting');
    expect(c.label).toBe('Connecting…');
  });
});
