import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../client/lib/server-clock.ts';

describe('ServerClock', () => {
  it('assumes real time until it has a baseline', () => {
    const c = new ServerClock();
    expect(c.now(0)).toBeNull();
    c.sample(1_000_000, 0);
    expect(c.rate).toBe(1);
    expect(c.now(500)).toBe(1_000_500);
  });
  it('measures an accelerated server clock (simulator --speed 10)', () => {
    const c = new ServerClock();
    c.sample(1_000_000, 0);
    c.sample(1_060_000, 6_000);
    expect(c.rate).toBeCloseTo(10);
    expect(c.now(7_000)).toBeCloseTo(1_070_000);
    expect(c.localTimeOf(1_180_000)).toBeCloseTo(18_000);
  });
  it('forgets its samples on reset', () => {
    const c = new ServerClock();
    c.sample(1, 0);
    c.sample(100_000, 10_000);
    c.reset();
    expect(c.rate).toBe(1);
    expect(c.now(0)).toBeNull();
  });
});
