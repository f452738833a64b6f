// `flowdeck ingest`: flow-log files (or stdin) sent to a server through the push API, in batches.
// Each batch carries the format in force (X-Flowdeck-Format, from the last header line read), so
// header lines keep their meaning across batches; line numbers in errors are the file's own. A
// busy server (503) is waited for as its Retry-After says; nothing is skipped.
//
// Exit codes: 0 every line was taken, 2 some lines were rejected, 1 a usage error, an unreadable
// file, or a server that refused the request (unknown topic, bad token...).
import { open } from 'node:fs/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { createLineParser, parseFormatSpec, type LogFormat } from '../../shared/parse/index.ts';

export const INGEST_USAGE = `Usage: flowdeck ingest --server URL --topic ID [--token T] [options] FILE...

Sends flow-log files to a flowdeck server (POST /api/topics/ID/records), in batches, and prints
the counts at the end: on stdout as JSON, on stderr for people. Each rejected line is printed on
stderr as {"file": ..., "line": N, "error": "..."} (the server lists up to 100 per batch).

  FILE                 a flow-log file; "-" reads stdin (flowdeck simulate | flowdeck ingest ... -);
                       files ending in .gz are gunzipped
  --server URL         the flowdeck server, e.g. http://localhost:8080
  --topic ID           the log topic the records go to
  --token T            the ingest token [FLOWDECK_INGEST_TOKEN]
  --format FORMAT      the format of lines before any header: auto (default), eni, ccn or field names
  --batch-lines N      lines per request (default 20000)
  --parallel N         requests in flight (default 2)
  -h, --help           print this help

Exit status: 0 every line taken, 2 some lines rejected, 1 usage error, unreadable file or refused request.
`;

export interface IngestIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

interface Totals {
  lines: number;
  accepted: number;
  filtered: number;
  rejected: number;
}

interface PushAnswer extends Totals {
  errors: Array<{ line: number; error: string }>;
}

class Refused extends Error {}

const MAX_BATCH_BYTES = 8 * 1048576;
/** A batch of stdin is sent after this long without new lines (a pipe that trickles). */
const STDIN_FLUSH_MS = 1000;

export async function runIngest(argv: string[], io: IngestIo): Promise<number> {
  const say = (s: string) => io.stderr.write(s);
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: 'string' },
        topic: { type: 'string' },
        token: { type: 'string' },
        format: { type: 'string' },
        'batch-lines': { type: 'string' },
        parallel: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    say(`flowdeck ingest: ${(err as Error).message}\nRun "flowdeck ingest --help" for usage.\n`);
    return 1;
  }
  const v = opts.values;
  if (v.help) {
    io.stdout.write(INGEST_USAGE);
    return 0;
  }
  const problems: string[] = [];
  const server = v.server;
  if (!server || !/^https?:\/\//.test(server))
    problems.push('--server URL is required (http://...)');
  if (!v.topic) problems.push('--topic ID is required');
  const token = v.token ?? io.env.FLOWDECK_INGEST_TOKEN;
  if (!token) problems.push('an ingest token is required: --token T or FLOWDECK_INGEST_TOKEN');
  const batchLines = Number(v['batch-lines'] ?? 20_000);
  if (!Number.isInteger(batchLines) || batchLines < 1 || batchLines > 500_000)
    problems.push('--batch-lines must be an integer from 1 to 500000');
  const parallel = Number(v.parallel ?? 2);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 16)
    problems.push('--parallel must be an integer from 1 to 16');
  let initial: LogFormat | null = null;
  if (v.format) {
    const spec = parseFormatSpec(v.format);
    if (!spec.ok) problems.push(`bad --format: ${spec.error.message}`);
    else if (spec.data !== 'auto') initial = spec.data;
  }
  if (opts.positionals.length === 0) problems.push('missing FILE argument (use - for stdin)');
  if (problems.length > 0) {
    say(`flowdeck ingest: ${problems.join('; ')}\nRun "flowdeck ingest --help" for usage.\n`);
    return 1;
  }

  const doFetch = io.fetch ?? fetch;
  const url = new URL(`/api/topics/${encodeURIComponent(v.topic!)}/records`, server);
  const totals: Totals = { lines: 0, accepted: 0, filtered: 0, rejected: 0 };
  const started = performance.now();
  const tty = io.stderr.isTTY === true;
  let sentLines = 0;
  let fileName = '';
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty) return;
    const now = performance.now();
    if (!force && now - lastDraw < 200) return;
    lastDraw = now;
    const rate = sentLines / Math.max(0.001, (now - started) / 1000);
    say(
      `\r\x1b[K${fileName} · ${sentLines.toLocaleString('en')} lines · ${Math.round(rate).toLocaleString('en')} lines/s · ` +
        `accepted ${totals.accepted.toLocaleString('en')} filtered ${totals.filtered.toLocaleString('en')} rejected ${totals.rejected.toLocaleString('en')}`,
    );
  };

  /** Sends one batch; retries while the server is busy or unreachable for a while. */
  async function send(
    body: Buffer,
    format: readonly string[] | null,
    file: string,
    firstLine: number,
  ) {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      'content-encoding': 'gzip',
      authorization: `Bearer ${token}`,
    };
    if (format) headers['x-flowdeck-format'] = format.join(' ');
    const gz = gzipSync(body, { level: 1 });
    let wait = 500;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers, body: new Uint8Array(gz) });
      } catch (err) {
        if (attempt >= 8) throw new Refused(`cannot reach ${server}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 10_000);
        continue;
      }
      const answer = (await res.json().catch(() => null)) as
        | { ok: true; data: PushAnswer }
        | { ok: false; error: { code: string; message: string } }
        | null;
      if (res.status === 503 || res.status === 429) {
        const after = Number(res.headers.get('retry-after') ?? 1);
        await new Promise((r) => setTimeout(r, Math.max(0.2, after) * 1000));
        continue;
      }
      if (!answer || !answer.ok) {
        const why = answer && !answer.ok ? answer.error.message : `HTTP ${res.status}`;
        throw new Refused(`the server refused ${file}: ${why} (HTTP ${res.status})`);
      }
      const d = answer.data;
      totals.lines += d.lines;
      totals.accepted += d.accepted;
      totals.filtered += d.filtered;
      totals.rejected += d.rejected;
      for (const e of d.errors)
        say(
          `${tty ? '\r\x1b[K' : ''}${JSON.stringify({ file, line: firstLine + e.line - 1, error: e.error })}\n`,
        );
      if (d.rejected > d.errors.length)
        say(
          `${tty ? '\r\x1b[K' : ''}${JSON.stringify({ file, lines: `${firstLine}-${firstLine + d.lines - 1}`, more: d.rejected - d.errors.length, error: 'more rejected lines (see the rejected-lines view)' })}\n`,
        );
      draw();
      return;
    }
  }

  const inflight = new Set<Promise<void>>();
  let failure: Error | null = null;
  async function dispatch(p: Promise<void>) {
    const tracked = p.catch((err: Error) => {
      failure ??= err;
    });
    inflight.add(tracked);
    void tracked.finally(() => inflight.delete(tracked));
    while (inflight.size >= parallel) await Promise.race(inflight);
  }

  /** Reads one input, cutting batches at line ends, each with the format in force at its start. */
  async function readInput(name: string) {
    fileName = name === '-' ? 'stdin' : name;
    const handle = name === '-' ? null : await open(name, 'r');
    const raw = handle ? handle.createReadStream({ highWaterMark: 1048576 }) : io.stdin;
    const stream = name.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    const watcher = createLineParser('auto');
    if (initial) watcher.parse(initial.fields.join(' '), 0);
    let header: readonly string[] | null = initial?.fields ?? null;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let batchLinesNow = 0;
    let batchHeader = header;
    let firstLine = 1;
    let lineNo = 0;
    let carry: Buffer = Buffer.alloc(0);
    let timer: ReturnType<typeof setTimeout> | null = null;

    const flush = async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (batchLinesNow === 0) return;
      const body = Buffer.concat(batch, batchBytes);
      const at = firstLine;
      const fmt = batchHeader;
      sentLines += batchLinesNow;
      batch = [];
      batchBytes = 0;
      batchLinesNow = 0;
      firstLine = lineNo + 1;
      batchHeader = header;
      await dispatch(send(body, fmt, fileName, at));
    };

    const addLines = async (buf: Buffer) => {
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(10, from);
        if (nl < 0) break;
        const line = buf.subarray(from, nl + 1);
        lineNo++;
        // Headers are watched here so that the next batch starts with the right format.
        const c = line[0];
        if (c !== undefined && c >= 97 && c <= 122) {
          const r = watcher.parse(line.toString('utf8'), lineNo);
          if (r.kind === 'header') header = r.fields;
        }
        batch.push(line);
        batchBytes += line.length;
        batchLinesNow++;
        from = nl + 1;
        if (batchLinesNow >= batchLines || batchBytes >= MAX_BATCH_BYTES) await flush();
      }
      return buf.subarray(from);
    };

    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (failure) break;
        carry = await addLines(carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk);
        if (name === '-' && batchLinesNow > 0 && timer === null)
          timer = setTimeout(() => void flush(), STDIN_FLUSH_MS);
      }
      if (carry.length > 0) {
        lineNo++;
        batch.push(carry, Buffer.from('\n'));
        batchBytes += carry.length + 1;
        batchLinesNow++;
      }
      await flush();
    } finally {
      if (timer) clearTimeout(timer);
      await handle?.close();
    }
  }

  try {
    for (const name of opts.positionals) {
      if (failure) break;
      await readInput(name);
    }
    await Promise.all(inflight);
  } catch (err) {
    failure ??= err as Error;
  }
  if (tty) say('\r\x1b[K');
  const seconds = (performance.now() - started) / 1000;
  io.stdout.write(`${JSON.stringify({ ...totals, seconds: Math.round(seconds * 10) / 10 })}\n`);
  say(
    `flowdeck ingest: ${totals.lines.toLocaleString('en')} lines: ${totals.accepted.toLocaleString('en')} accepted, ` +
      `${totals.filtered.toLocaleString('en')} filtered, ${totals.rejected.toLocaleString('en')} rejected ` +
      `(${Math.round(totals.lines / Math.max(seconds, 0.001)).toLocaleString('en')} lines/s)\n`,
  );
  if (failure) {
    const e = failure as Error;
    say(
      `flowdeck ingest: ${e instanceof Refused ? e.message : `cannot read: ${(e as NodeJS.ErrnoException).code ?? e.message}`}\n`,
    );
    return 1;
  }
  return totals.rejected > 0 ? 2 : 0;
}
