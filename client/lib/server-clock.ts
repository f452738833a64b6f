// Estimates the server's clock from the browser's: the server may run accelerated (simulator
// --speed), so "how old is this window" is measured in server time, estimated from samples of
// (server time, local receipt time). Pure; local times are passed in.

/** Below this local baseline the rate is not measured yet and 1 is assumed. */
const MIN_BASELINE_MS = 2_000;
const MIN_RATE = 0.01;
const MAX_RATE = 10_000;

export class ServerClock {
  #first: { server: number; local: number } | null = null;
  #last: { server: number; local: number } | null = null;

  /** Records that the server's clock read `server` at local time `local`. */
  sample(server: number, local: number): void {
    if (!Number.isFinite(server)) return;
    this.#first ??= { server, local };
    this.#last = { server, local };
  }

  /** Forgets all samples (a reconnect may reach a server with another clock). */
  reset(): void {
    this.#first = null;
    this.#last = null;
  }

  /** Server milliseconds per local millisecond; 1 until measured. */
  get rate(): number {
    const a = this.#first;
    const b = this.#last;
    if (!a || !b || b.local - a.local < MIN_BASELINE_MS) return 1;
    const r = (b.server - a.server) / (b.local - a.local);
    if (!Number.isFinite(r) || r <= 0) return 1;
    return Math.min(MAX_RATE, Math.max(MIN_RATE, r));
  }

  /** The server's time at local time `local`, or null before any sample. */
  now(local: number): number | null {
    const b = this.#last;
    return b ? b.server + (local - b.local) * this.rate : null;
  }

  /** Local time at which the server clock reaches `server`, or null before any sample. */
  localTimeOf(server: number): number | null {
    const b = this.#last;
    return b ? b.local + (server - b.server) / this.rate : null;
  }
}
