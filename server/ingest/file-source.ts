// The file source (`--watch PATH:TOPIC`): flow-log files read like `tail -F`. PATH is a file, a
// directory (the files in it) or a glob; every poll finds new files. A file is known by its
// device and inode, so a rename (rotation) does not make it a new file: the old inode is read to
// its end, the new file from its start. A file that shrinks was truncated (copytruncate): it is
// read again from its start. `.gz` files are read whole, once.
//
// Each chunk of lines is one store transaction with the file's position (byte offset, line
// number, the header in force, a fingerprint of its first bytes), so after a kill -9 at any
// moment a restart goes on exactly after the last committed line: no duplicate, no gap. When the
// store is full the source waits; it never drops a line.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { Clock } from '../clock.ts';
import { textItems } from './lines.ts';
import type { Ingest, LineItem } from './pipeline.ts';

export interface WatchSpec {
  /** A file, a directory or a glob. */
  path: string;
  topicId: string;
}

export interface FileSourceConfig {
  watches: readonly WatchSpec[];
  /** How often files are looked for and read, ms. */
  pollMs: number;
  /** Bytes read (and committed) at a time per file. */
  chunkBytes: number;
  /** A last line without a newline is taken once its file has not changed for this long, ms. */
  partialLineIdleMs: number;
  /** A line longer than this is rejected (too-long) without being kept whole, bytes. */
  maxLineBytes: number;
  /** A file renamed away or removed is still followed this long, then read to its end, ms. */
  rotateGraceMs: number;
}

export const defaultFileSourceConfig: Omit<FileSourceConfig, 'watches'> = {
  pollMs: 500,
  chunkBytes: 4 * 1048576,
  partialLineIdleMs: 5 * 60_000,
  maxLineBytes: 1048576,
  rotateGraceMs: 2_000,
};

/** What is committed with each chunk, per file. */
interface FileState {
  path: string;
  /** Bytes of the file consumed (of the decompressed stream for .gz). */
  offset: number;
  lineNo: number;
  header: readonly string[] | null;
  /** sha256 of the first `fpLength` bytes, to tell a reused inode from the same file. */
  fp: string;
  fpLength: number;
  /** .gz: read to its end. */
  done?: boolean;
}

interface Tracked {
  key: string;
  topicId: string;
  path: string;
  gz: boolean;
  state: FileState;
  handle: FileHandle | null;
  /** Matched by a watch in the last poll; a file that is not and is read to its end is closed. */
  seen: boolean;
  /** When it was first not matched (renamed away or removed); null while it is. */
  unseenSince: number | null;
  lastSize: number;
  lastChange: number;
  /** Busy reading or waiting for a commit. */
  busy: boolean;
}

export interface FileSourceDeps {
  ingest: Ingest;
  /** A watch whose topic does not exist waits (its files are not read) until it does. */
  topicExists: (topicId: string) => boolean;
  clock: Clock;
  loadOffsets: (prefix: string) => Promise<Array<{ source: string; state: string }>>;
  warn: (msg: string) => void;
}

const SOURCE = 'file';
const FP_BYTES = 1024;

const fingerprint = (buf: Buffer) => createHash('sha256').update(buf).digest('base64url');

/** `--watch` values: PATH:TOPIC (the last colon splits, so paths may hold colons). */
export function parseWatch(text: string): WatchSpec | string {
  const i = text.lastIndexOf(':');
  if (i <= 0 || i === text.length - 1)
    return `--watch takes PATH:TOPIC, got ${JSON.stringify(text)}`;
  return { path: text.slice(0, i), topicId: text.slice(i + 1) };
}

export function createFileSource(config: FileSourceConfig, deps: FileSourceDeps) {
  const tracked = new Map<string, Tracked>();
  let stored = new Map<string, FileState>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = true;
  let polling: Promise<void> = Promise.resolve();
  const m = {
    files: 0,
    chunks: 0,
    lines: 0,
    bytes: 0,
    rotations: 0,
    truncations: 0,
    waits: 0,
    failures: 0,
    watchErrors: 0,
  };

  /** The files a watch names now. */
  async function expand(w: WatchSpec): Promise<string[]> {
    const path = resolve(w.path);
    let st: Stats | null = null;
    try {
      st = await stat(path);
    } catch {
      // not there (yet): maybe a glob
    }
    if (st?.isFile()) return [path];
    if (st?.isDirectory()) {
      const names = await readdir(path);
      const out: string[] = [];
      for (const n of names.sort()) {
        const p = join(path, n);
        if ((await stat(p).catch(() => null))?.isFile()) out.push(p);
      }
      return out;
    }
    if (isDynamicPattern(w.path))
      return (await glob(w.path, { absolute: true, onlyFiles: true })).sort();
    return [];
  }

  async function openFile(path: string, topicId: string, st: Stats): Promise<Tracked | null> {
    const key = `${SOURCE}:${st.dev}:${st.ino}`;
    const handle = await open(path, 'r').catch(() => null);
    if (!handle) return null;
    const head = Buffer.alloc(Math.min(FP_BYTES, st.size));
    await handle.read(head, 0, head.length, 0);
    const gz = path.endsWith('.gz');
    let state: FileState = {
      path,
      offset: 0,
      lineNo: 0,
      header: null,
      fp: fingerprint(head),
      fpLength: head.length,
    };
    const before = stored.get(key);
    if (before) {
      // The same inode with the same first bytes: the same file. Otherwise the inode was reused.
      const again = Buffer.alloc(Math.min(before.fpLength, st.size));
      await handle.read(again, 0, again.length, 0);
      if (again.length === before.fpLength && fingerprint(again) === before.fp)
        state = { ...before, path };
    }
    m.files++;
    const t: Tracked = {
      key,
      topicId,
      path,
      gz,
      state,
      handle,
      seen: true,
      unseenSince: null,
      lastSize: st.size,
      lastChange: deps.clock.now(),
      busy: false,
    };
    deps.ingest.restoreOrigin(key, { lineNo: state.lineNo, header: state.header });
    return t;
  }

  async function close(t: Tracked) {
    tracked.delete(t.key);
    deps.ingest.release(t.key);
    await t.handle?.close().catch(() => {});
    t.handle = null;
  }

  /** Hands one chunk to ingest, as one transaction with the file's new position; waits while the store is full. */
  async function commit(t: Tracked, lines: LineItem[], next: Omit<FileState, 'lineNo' | 'header'>) {
    for (;;) {
      if (stopped) return false;
      const done = deps.ingest.ingest({
        topicId: t.topicId,
        source: SOURCE,
        origin: t.key,
        label: t.path,
        lines,
        urgent: true,
        offsets: (after) => [
          {
            source: t.key,
            state: JSON.stringify({ ...next, lineNo: after.lineNo, header: after.header }),
          },
        ],
      });
      if (done === null) {
        m.waits++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        await done;
      } catch (err) {
        // Nothing of the chunk was stored: the position stays, the parser goes back, try again.
        m.failures++;
        deps.warn(
          `file ${t.path}: a chunk was not stored (${(err as Error).message}); reading it again`,
        );
        deps.ingest.restoreOrigin(t.key, { lineNo: t.state.lineNo, header: t.state.header });
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const after = deps.ingest.originState(t.key);
      t.state = { ...next, lineNo: after.lineNo, header: after.header };
      m.chunks++;
      m.lines += lines.length;
      return true;
    }
  }

  /** Reads what the file holds past its position, chunk by chunk. */
  async function readPlain(t: Tracked, final: boolean): Promise<void> {
    const h = t.handle!;
    let st = await h.stat();
    if (st.size < t.state.offset) {
      m.truncations++;
      deps.warn(
        `file ${t.path}: truncated (${st.size} < ${t.state.offset} bytes read): reading it from the start`,
      );
      t.state = { ...t.state, offset: 0, lineNo: 0, header: null };
      deps.ingest.restoreOrigin(t.key, { lineNo: 0, header: null });
    }
    const now = deps.clock.now();
    if (st.size !== t.lastSize) {
      t.lastSize = st.size;
      t.lastChange = now;
    }
    const buf = Buffer.alloc(config.chunkBytes);
    while (!stopped && st.size > t.state.offset) {
      const want = Math.min(config.chunkBytes, st.size - t.state.offset);
      const { bytesRead } = await h.read(buf, 0, want, t.state.offset);
      if (bytesRead === 0) break;
      let end = buf.lastIndexOf(10, bytesRead - 1);
      let consumed: number;
      let lines: LineItem[];
      if (end >= 0) {
        lines = textItems(buf, 0, end);
        consumed = end + 1;
      } else if (bytesRead >= config.maxLineBytes || bytesRead === config.chunkBytes) {
        // One line longer than a chunk: rejected as too long, its rest skipped to the newline.
        const skipped = await skipLine(h, t.state.offset + bytesRead, st.size);
        if (skipped === null && !final) break; // its end is not written yet
        const length = bytesRead + (skipped ?? st.size - t.state.offset - bytesRead);
        lines = [
          {
            error: {
              code: 'too-long',
              reason: `line is ${length} bytes long, more than ${config.maxLineBytes}`,
            },
            raw: buf.toString('utf8', 0, Math.min(bytesRead, 4096)),
            rawLength: length,
          },
        ];
        consumed = skipped === null ? length : length + 1;
      } else {
        // A last line without its newline: taken only when the file is done with.
        const idle = now - t.lastChange >= config.partialLineIdleMs;
        if (!final && !idle) break;
        lines = textItems(buf, 0, bytesRead);
        consumed = bytesRead;
      }
      end = t.state.offset + consumed;
      m.bytes += consumed;
      const ok = await commit(t, lines, {
        path: t.path,
        offset: end,
        fp: t.state.fp,
        fpLength: t.state.fpLength,
      });
      if (!ok) return;
      // The fingerprint grows with the file until it covers FP_BYTES.
      if (t.state.fpLength < FP_BYTES && t.state.offset >= t.state.fpLength)
        await refreshFingerprint(t);
      st = await h.stat();
    }
  }

  /** Bytes from `from` to the next newline (exclusive), or null when there is none before `size`. */
  async function skipLine(h: FileHandle, from: number, size: number): Promise<number | null> {
    const buf = Buffer.alloc(1048576);
    let at = from;
    while (at < size) {
      const { bytesRead } = await h.read(buf, 0, Math.min(buf.length, size - at), at);
      if (bytesRead === 0) break;
      const nl = buf.indexOf(10);
      if (nl >= 0 && nl < bytesRead) return at + nl - from;
      at += bytesRead;
    }
    return null;
  }

  async function refreshFingerprint(t: Tracked) {
    const size = (await t.handle!.stat()).size;
    const head = Buffer.alloc(Math.min(FP_BYTES, size));
    await t.handle!.read(head, 0, head.length, 0);
    t.state = { ...t.state, fp: fingerprint(head), fpLength: head.length };
  }

  /** A .gz file: decompressed and read once, from where the last run stopped. */
  async function readGz(t: Tracked): Promise<void> {
    if (t.state.done) return;
    const stream = createReadStream(t.path).pipe(createGunzip());
    let pos = 0; // decompressed bytes seen
    let pending: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (stopped) return;
        let data: Buffer = chunk;
        if (pos + data.length <= t.state.offset) {
          pos += data.length;
          continue;
        }
        if (pos < t.state.offset) data = data.subarray(t.state.offset - pos);
        pos = Math.max(pos, t.state.offset) + data.length;
        pending = pending.length > 0 ? Buffer.concat([pending, data]) : data;
        if (pending.length < config.chunkBytes) continue;
        const end = pending.lastIndexOf(10);
        if (end < 0) continue;
        const lines = textItems(pending, 0, end);
        const base = pos - pending.length;
        const ok = await commit(t, lines, { ...t.state, offset: base + end + 1 });
        if (!ok) return;
        pending = pending.subarray(end + 1);
      }
      const lines = textItems(pending);
      await commit(t, lines, { ...t.state, offset: pos, done: true });
    } catch (err) {
      m.failures++;
      deps.warn(`file ${t.path}: not a readable gzip file (${(err as Error).message}); skipped`);
      await commit(t, [], { ...t.state, done: true });
    } finally {
      stream.destroy();
    }
  }

  const waitingFor = new Set<string>();

  async function poll(): Promise<void> {
    for (const t of tracked.values()) t.seen = false;
    for (const w of config.watches) {
      if (!deps.topicExists(w.topicId)) {
        if (!waitingFor.has(w.topicId))
          deps.warn(
            `watch ${w.path}: no topic ${JSON.stringify(w.topicId)}; its files wait until it exists`,
          );
        waitingFor.add(w.topicId);
        for (const t of tracked.values()) if (t.topicId === w.topicId) t.seen = true;
        continue;
      }
      waitingFor.delete(w.topicId);
      let paths: string[] = [];
      try {
        paths = await expand(w);
      } catch (err) {
        m.watchErrors++;
        deps.warn(`watch ${w.path}: ${(err as Error).message}`);
      }
      for (const path of paths) {
        const st = await stat(path).catch(() => null);
        if (!st?.isFile()) continue;
        const key = `${SOURCE}:${st.dev}:${st.ino}`;
        const t = tracked.get(key);
        if (t) {
          if (t.path !== path) {
            m.rotations++;
            t.path = path;
          }
          t.seen = true;
          t.unseenSince = null;
          continue;
        }
        const opened = await openFile(path, w.topicId, st);
        if (opened) tracked.set(key, opened);
      }
    }
    await Promise.all(
      [...tracked.values()].map(async (t) => {
        if (t.busy || stopped || !deps.topicExists(t.topicId)) return;
        t.busy = true;
        try {
          if (t.gz) {
            await readGz(t);
            if (!t.seen) await close(t);
            return;
          }
          // A file no watch names any more (renamed away, removed) is followed a little longer
          // (its writer may not have reopened yet), then read to its end and closed.
          if (!t.seen) t.unseenSince ??= deps.clock.now();
          const gone =
            t.unseenSince !== null && deps.clock.now() - t.unseenSince >= config.rotateGraceMs;
          await readPlain(t, gone);
          if (gone) {
            m.rotations++;
            await close(t);
          }
        } catch (err) {
          m.failures++;
          deps.warn(`file ${t.path}: ${(err as Error).message}`);
        } finally {
          t.busy = false;
        }
      }),
    );
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll().finally(schedule);
    }, config.pollMs);
    timer.unref?.();
  }

  return {
    async start(): Promise<void> {
      if (!stopped || config.watches.length === 0) return;
      stopped = false;
      stored = new Map(
        (await deps.loadOffsets(`${SOURCE}:`)).map((o) => [
          o.source,
          JSON.parse(o.state) as FileState,
        ]),
      );
      polling = poll().finally(schedule);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await polling.catch(() => {});
      for (const t of [...tracked.values()]) await close(t);
    },
    /** Resolves after a full pass over every watch (tests, the CLI). */
    async pollNow(): Promise<void> {
      await polling.catch(() => {});
      polling = poll();
      await polling;
    },
    metrics: () => ({
      ...m,
      open: tracked.size,
      watching: config.watches.map((w) => ({ path: w.path, topicId: w.topicId })),
    }),
  };
}

export type FileSource = ReturnType<typeof createFileSource>;
