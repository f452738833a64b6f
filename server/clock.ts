// The one source of "now" for server components; domain code gets a Clock passed in.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * A sped-up clock jumps forward to `t` when `t` is ahead of it, so a restart carries on from the
   * windows the last run stored instead of putting them in the future; real time never jumps.
   * Returns true when it jumped.
   */
  carryOnFrom?(t: number): boolean;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that runs `speed` times faster than real time from `origin` on (the simulator's `--speed`):
 * at origin it reads origin, one real second later origin + speed seconds.
 */
export function scaledClock(speed: number, origin = Date.now()): Clock {
  if (speed === 1) return systemClock;
  let base = origin;
  let realBase = origin;
  const now = () => base + (Date.now() - realBase) * speed;
  return {
    now,
    carryOnFrom(t) {
      if (!(t > now())) return false;
      base = t;
      realBase = Date.now();
      return true;
    },
  };
}

/** A clock that only moves when told to: for tests. */
export function manualClock(
  start: number,
): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    set: (v) => {
      t = v;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
