// Worker side: hourly rollups of settled hours, so that the heavy reads over long ranges (top
// quintuples, totals of a free search) read thousands of rows instead of millions.
//
// Exactness: an hour's rollup is used only while the hour is unchanged since it was rolled. The
// worker marks an hour dirty when a commit adds records to it (late records) and when retention
// cuts into it; on open, each rolled hour's record count and highest seq are checked against the
// records (a crash can leave a stale rollup). A dirty hour is read from raw records until re-rolled.
import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_MS } from './schema.ts';

/** An hour is rolled once the topic's newest window is this far past its end. */
export const SETTLE_MS = 10 * 60_000;
/** Hours rolled per admin-queue task, so window upserts are not held up for long. */
const ROLLS_PER_TASK = 8;

/** Records counted as traffic (window aggregator rules) with a complete quintuple. */
export const TRAFFIC =
  "start_s IS NOT NULL AND action IS NOT NULL AND (log_status IS NULL OR log_status = 'OK')";
export const COMPLETE_QUINTUPLE =
  'srcaddr IS NOT NULL AND srcport IS NOT NULL AND dstaddr IS NOT NULL AND dstport IS NOT NULL AND protocol IS NOT NULL';

interface Hour {
  topic: string;
  hour: number;
  /** Rolled and unchanged since. */
  valid: boolean;
  /** rollup_hours.top_bound when valid. */
  bound: number;
  /** Bumped by every commit that touches the hour. */
  version: number;
}

export interface RollupView {
  /** Valid rolled hours of `topic` lying entirely in [fromMs, toMs), ascending. */
  validHours(topic: string, fromMs: number, toMs: number): number[];
  /** top_bound of a valid hour. */
  bound(topic: string, hour: number): number;
  /** Topics with at least one valid hour. */
  topics(): string[];
  /** Every topic that has records (once validated: the map covers every hour with records). */
  allTopics(): string[];
  /** Counts a read answered from the rollups. */
  used(kind: 'dims' | 'top'): void;
  /** [first hour, end of last hour) holding records of `topic` (or of any topic); null: none. */
  extent(topic?: string): [number, number] | null;
  /** Quintuples kept per hour in rollup_top. */
  readonly topK: number;
}

const key = (topic: string, hour: number) => `${topic}\u0000${hour}`;

/** `topK`: quintuples kept per (topic, hour) (StoreConfig.rollupTopK). */
export function createRollups(topK: number) {
  const hours = new Map<string, Hour>();
  /** Newest window seen per topic: decides which hours are settled. */
  const newest = new Map<string, number>();
  let rolls = 0;
  const hits = { dims: 0, top: 0 };

  function entry(topic: string, hour: number): Hour {
    const k = key(topic, hour);
    let h = hours.get(k);
    if (h === undefined) {
      h = { topic, hour, valid: false, bound: 0, version: 0 };
      hours.set(k, h);
    }
    return h;
  }

  function seeWindow(topic: string, windowStart: number): void {
    const n = newest.get(topic);
    if (n === undefined || windowStart > n) newest.set(topic, windowStart);
  }

  const view: RollupView = {
    topK,
    validHours(topic, fromMs, toMs) {
      const out: number[] = [];
      for (const h of hours.values()) {
        if (h.valid && h.topic === topic && h.hour >= fromMs && h.hour + HOUR_MS <= toMs)
          out.push(h.hour);
      }
      return out.sort((a, b) => a - b);
    },
    bound: (topic, hour) => hours.get(key(topic, hour))?.bound ?? 0,
    topics() {
      const out = new Set<string>();
      for (const h of hours.values()) if (h.valid) out.add(h.topic);
      return [...out].sort();
    },
    allTopics() {
      const out = new Set<string>();
      for (const h of hours.values()) out.add(h.topic);
      return [...out].sort();
    },
    used(kind) {
      hits[kind]++;
    },
    extent(topic) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const h of hours.values()) {
        if (topic !== undefined && h.topic !== topic) continue;
        if (h.hour < lo) lo = h.hour;
        if (h.hour + HOUR_MS > hi) hi = h.hour + HOUR_MS;
      }
      return lo < hi ? [lo, hi] : null;
    },
  };

  /** The hours a commit added records to: no longer valid, and to be rolled (again). */
  function touch(
    touched: ReadonlyArray<[string, number]>,
    streams: ReadonlyArray<[string, string, number]>,
  ) {
    for (const [topic, hour] of touched) {
      const h = entry(topic, hour);
      h.version++;
      h.valid = false;
    }
    for (const [topic, , w] of streams) seeWindow(topic, w);
  }

  /** On open: which stored rollups still match their records; every other hour is to be rolled. */
  async function validate(con: DuckDBConnection): Promise<void> {
    const stored = new Map<string, { records: number; maxSeq: number; bound: number }>();
    const r = await con.runAndReadAll(
      'SELECT topic, hour_start, records, max_seq, top_bound FROM rollup_hours',
    );
    for (const [t, h, n, s, b] of r.getRows()) {
      stored.set(key(String(t), Number(h)), {
        records: Number(n),
        maxSeq: Number(s),
        bound: Number(b),
      });
    }
    const actual = await con.runAndReadAll(
      `SELECT topic, window_start // ${HOUR_MS} * ${HOUR_MS} AS h, count(*), max(seq), max(window_start)
       FROM records GROUP BY ALL`,
    );
    for (const [t, hv, n, s, w] of actual.getRows()) {
      const topic = String(t);
      const hour = Number(hv);
      seeWindow(topic, Number(w));
      const h = entry(topic, hour);
      const st = stored.get(key(topic, hour));
      if (st !== undefined && st.records === Number(n) && st.maxSeq === Number(s)) {
        h.valid = true;
        h.bound = st.bound;
      }
      stored.delete(key(topic, hour));
    }
    // Rollups of hours that have no records any more.
    for (const k of stored.keys()) {
      const i = k.indexOf('\u0000');
      entry(k.slice(0, i), Number(k.slice(i + 1)));
    }
  }

  /** Rolls one hour from its records, in one transaction; returns false if it has none. */
  async function roll(con: DuckDBConnection, h: Hour): Promise<void> {
    const { topic, hour } = h;
    const version = h.version;
    const range = [topic, hour, hour + HOUR_MS];
    await con.run('BEGIN TRANSACTION');
    try {
      for (const t of ['rollup_dims', 'rollup_top', 'rollup_hours']) {
        await con.run(`DELETE FROM ${t} WHERE topic = ? AND hour_start = ?`, [topic, hour]);
      }
      const where = 'topic = ? AND window_start >= ? AND window_start < ?';
      const stats = (
        await con.runAndReadAll(
          `SELECT count(*), coalesce(max(seq), 0) FROM records WHERE ${where}`,
          range,
        )
      ).getRows()[0]!;
      const records = Number(stats[0]);
      let bound = 0;
      if (records > 0) {
        await con.run(
          `INSERT INTO rollup_dims
           SELECT topic, ?::BIGINT, stream, window_start, format, version, account_id, interface_id,
             CASE WHEN src_ip IS NULL THEN srcaddr END, CASE WHEN dst_ip IS NULL THEN dstaddr END,
             protocol, action, log_status, ccn_id, src_region, dst_region, region_id,
             start_s IS NOT NULL, count(*), coalesce(sum(bytes), 0), coalesce(sum(packets), 0)
           FROM records WHERE ${where} GROUP BY ALL`,
          [hour, ...range],
        );
        await con.run(
          `CREATE OR REPLACE TEMP TABLE rollup_q AS
           SELECT srcaddr, srcport, dstaddr, dstport, protocol, coalesce(sum(bytes), 0) AS bytes,
             coalesce(sum(packets), 0) AS packets, count(*) AS records,
             coalesce(sum(bytes) FILTER (action = 'REJECT'), 0) AS reject_bytes,
             coalesce(sum(packets) FILTER (action = 'REJECT'), 0) AS reject_packets
           FROM records WHERE ${where} AND ${TRAFFIC} AND ${COMPLETE_QUINTUPLE}
           GROUP BY srcaddr, srcport, dstaddr, dstport, protocol`,
          range,
        );
        await con.run(
          `INSERT INTO rollup_top SELECT ?, ?::BIGINT, * FROM rollup_q ORDER BY bytes DESC LIMIT ${topK}`,
          [topic, hour],
        );
        const b = (
          await con.runAndReadAll(
            `SELECT bytes FROM rollup_q ORDER BY bytes DESC LIMIT 1 OFFSET ${topK}`,
          )
        ).getRows();
        bound = b.length > 0 ? Number(b[0]![0]) : 0;
        await con.run('DROP TABLE rollup_q');
        await con.run('INSERT INTO rollup_hours VALUES (?, ?, ?, ?, ?)', [
          topic,
          hour,
          records,
          Number(stats[1]),
          bound,
        ]);
      }
      await con.run('COMMIT');
      rolls++;
      if (records === 0) hours.delete(key(topic, hour));
      else if (h.version === version) {
        // No commit touched the hour meanwhile (one that did keeps it dirty for the next pass).
        h.valid = true;
        h.bound = bound;
      }
    } catch (err) {
      await con.run('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /** Hours settled and not valid, oldest first. */
  function due(): Hour[] {
    const out: Hour[] = [];
    for (const h of hours.values()) {
      if (h.valid) continue;
      const n = newest.get(h.topic);
      if (n !== undefined && h.hour + HOUR_MS + SETTLE_MS <= n + 60_000) out.push(h);
    }
    return out.sort((a, b) => a.hour - b.hour || (a.topic < b.topic ? -1 : 1));
  }

  /**
   * Rolls up to ROLLS_PER_TASK due hours; returns how many are left. `run` queues a task on the
   * admin connection (one at a time with window upserts and retention).
   */
  async function maintainSome(con: DuckDBConnection): Promise<number> {
    const todo = due();
    for (const h of todo.slice(0, ROLLS_PER_TASK)) await roll(con, h);
    return Math.max(0, todo.length - ROLLS_PER_TASK);
  }

  /** After retention deleted records of `topic` before `cutoff`: rollups of whole hours go, a cut hour is dirty. */
  async function forget(
    con: DuckDBConnection,
    topic: string | null,
    cutoff: number,
    except: string[],
  ) {
    const whole = Math.floor(cutoff / HOUR_MS) * HOUR_MS;
    const cond =
      topic !== null
        ? 'topic = ?'
        : except.length > 0
          ? `topic NOT IN (${except.map(() => '?').join(', ')})`
          : 'TRUE';
    const params = topic !== null ? [topic] : except;
    for (const t of ['rollup_dims', 'rollup_top', 'rollup_hours']) {
      await con.run(`DELETE FROM ${t} WHERE ${cond} AND hour_start < ?`, [...params, whole]);
    }
    for (const [k, h] of hours) {
      const mine = topic !== null ? h.topic === topic : !except.includes(h.topic);
      if (!mine) continue;
      if (h.hour < whole) hours.delete(k);
      else if (h.hour < cutoff) {
        h.version++;
        h.valid = false;
      }
    }
  }

  return {
    view,
    touch,
    validate,
    maintainSome,
    forget,
    metrics: () => ({ rolls, due: due().length, dimsReads: hits.dims, topReads: hits.top }),
  };
}

export type Rollups = ReturnType<typeof createRollups>;
