// The state of one alert rule for one group (a topic, or a source for per-source measures), from
// the measure of each published window revision. Pure: the caller feeds values, the series says
// what to tell people. A rule fires when its condition has held for `needed` consecutive windows
// ending at the newest; one episode, one firing notice and one resolved notice, whatever late
// revisions do in between:
//   - a late revision that changes an older window's value re-evaluates the run; if the episode's
//     condition no longer holds it resolves (said once), and if the same run holds again it is
//     the same episode reopened, not told twice;
//   - a missing window counts as `missingAs` (0 for sums: no records is no traffic), or breaks the
//     run (null: a share of nothing is not a share).
import { extreme, holds, type Op } from '../../shared/alerts/rule.ts';

export type AlertState = 'ok' | 'pending' | 'firing';

export interface Notice {
  /**
   * reopened: a late revision made an episode that had resolved hold again (the same run): the
   * alert is firing again, and nobody is told twice.
   */
  kind: 'firing' | 'resolved' | 'reopened';
  episode: number;
  /** The window whose revision caused the notice (the newest one). */
  windowStart: number;
  /** The newest window's value, and the most extreme one of the episode's run. */
  value: number;
  peak: number;
  /** First window of the run that made it fire. */
  since: number;
  /** A resolved notice for an episode that resolved before (and was reopened): not told again. */
  repeat?: boolean;
}

interface Episode {
  id: number;
  since: number;
  peak: number;
  open: boolean;
  /** Its resolution was told once already. */
  resolvedOnce?: boolean;
}

export interface SeriesConfig {
  windowMs: number;
  op: Op;
  threshold: number;
  /** Consecutive windows the condition must hold. */
  needed: number;
  /** Value of a window that was never published (null: unknown, it breaks a run). */
  missingAs: number | null;
}

export class RuleSeries {
  readonly #cfg: SeriesConfig;
  readonly #values = new Map<number, number | null>();
  #newest: number | null = null;
  #episode: Episode | null = null;
  #episodes = 0;
  state: AlertState = 'ok';

  constructor(cfg: SeriesConfig) {
    this.#cfg = cfg;
  }

  /** Windows kept: enough to re-evaluate a run after a late revision, bounded. */
  get #keep(): number {
    return this.#cfg.needed * 2 + 12;
  }

  /** The value of the window starting at `t` (missingAs when never published). */
  #value(t: number): number | null {
    return this.#values.has(t) ? this.#values.get(t)! : this.#cfg.missingAs;
  }

  #holdsAt(t: number): boolean {
    const v = this.#value(t);
    return v !== null && holds(this.#cfg.op, v, this.#cfg.threshold);
  }

  /** Consecutive holding windows ending at `end`, counted up to `needed`... and a little more. */
  #run(end: number): number {
    let n = 0;
    const limit = this.#keep;
    for (let t = end; n < limit && this.#holdsAt(t); t -= this.#cfg.windowMs) n++;
    return n;
  }

  #extreme(a: number, b: number): number {
    return extreme(this.#cfg.op, a, b);
  }

  /**
   * Takes back an episode that was firing before a restart: while the condition holds again it is
   * the same episode (no second firing notice); when it does not, it resolves (said once).
   */
  resume(since: number, peak: number): void {
    this.#episode = { id: ++this.#episodes, since, peak, open: true };
    this.state = 'firing';
  }

  /** A window's (new) revision measured `value`; what to tell, if anything. */
  observe(windowStart: number, value: number | null): Notice[] {
    const { windowMs, needed } = this.#cfg;
    this.#values.set(windowStart, value);
    if (this.#newest === null || windowStart > this.#newest) this.#newest = windowStart;
    const newest = this.#newest;
    const oldest = newest - this.#keep * windowMs;
    for (const t of this.#values.keys()) if (t < oldest) this.#values.delete(t);

    const run = this.#run(newest);
    const now = this.#value(newest);
    const notices: Notice[] = [];
    if (run >= needed && now !== null) {
      // The run that fires starts `needed - 1` windows before the newest at the latest; an
      // episode is the run it began with.
      const since = newest - (run - 1) * windowMs;
      let peak = now;
      for (let t = since; t <= newest; t += windowMs) peak = this.#extreme(peak, this.#value(t)!);
      const ep = this.#episode;
      if (ep && (ep.open || ep.since === since)) {
        // The same episode (still open, or reopened by a late revision): nothing new to tell
        // people; a reopening is said to the caller (the alert is firing again).
        if (!ep.open)
          notices.push({
            kind: 'reopened',
            episode: ep.id,
            windowStart: newest,
            value: now,
            peak: this.#extreme(ep.peak, peak),
            since: ep.since,
          });
        ep.open = true;
        ep.since = Math.min(ep.since, since);
        ep.peak = this.#extreme(ep.peak, peak);
      } else {
        this.#episode = { id: ++this.#episodes, since, peak, open: true };
        notices.push({
          kind: 'firing',
          episode: this.#episodes,
          windowStart: newest,
          value: now,
          peak,
          since,
        });
      }
      this.state = 'firing';
      return notices;
    }
    const ep = this.#episode;
    if (ep?.open) {
      ep.open = false;
      notices.push({
        kind: 'resolved',
        episode: ep.id,
        windowStart: newest,
        value: now ?? 0,
        peak: ep.peak,
        since: ep.since,
        ...(ep.resolvedOnce ? { repeat: true } : {}),
      });
      ep.resolvedOnce = true;
    }
    this.state = run > 0 ? 'pending' : 'ok';
    return notices;
  }
}
