// The sped-up clock carries on from a stored window ahead of it; real time never jumps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scaledClock, systemClock } from '../../server/clock.ts';

afterEach(() => vi.useRealTimers());

describe('scaledClock', () => {
  it('runs `speed` times real time and jumps forward only, to a time ahead of it', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    const clock = scaledClock(20);
    vi.advanceTimersByTime(1_000);
    expect(clock.now()).toBe(1_020_000);
    expect(clock.carryOnFrom?.(1_010_000)).toBe(false); // behind: no jump
    expect(clock.now()).toBe(1_020_000);
    expect(clock.carryOnFrom?.(5_000_000)).toBe(true);
    expect(clock.now()).toBe(5_000_000);
    vi.advanceTimersByTime(500);
    expect(clock.now()).toBe(5_010_000);
  });

  it('at speed 1 is real time, which never jumps', () => {
    const clock = scaledClock(1);
    expect(clock).toBe(systemClock);
    expect(clock.carryOnFrom).toBeUndefined();
  });
});
