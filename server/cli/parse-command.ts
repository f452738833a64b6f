// `flowdeck parse`: flow-log files in, one JSON object per record out (NDJSON), one per bad line on stderr.
//
// Exit codes: 0 every line parsed (or was blank or a header), 2 some lines were rejected, 1 usage
// error or an input that could not be read. Every FILE is opened before any is parsed: if one cannot
// be opened, each failure is reported and nothing is parsed (exit 1). A read error later (a corrupt
// .gz) stops the command with exit 1 after what was already printed.
import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { LogFormat } from '../../shared/parse/index.ts';
import {
  MAX_LINE_LENGTH,
  tooLongReason,
  createLineParser,
  parseFormatSpec,
  recordToDocumented,
} from '../../shared/parse/index.ts';

export const PARSE_USAGE = `Usage: flowdeck parse [--format FORMAT] FILE...

Parses VPC flow-log files and prints one JSON object per record on stdout (NDJSON), keyed by
the documented field names. Each rejected line is printed on stderr as
{"file": ..., "line": N, "error": "...", "code": "..."}.

  FILE                 a flow-log file; "-" reads stdin; files ending in .gz are gunzipped
  --format FORMAT      auto (default): a header line of field names sets the format, otherwise
                       14 fields mean eni and 16 fields mean ccn
                       eni: version account-id interface-id srcaddr dstaddr srcport dstport
                            protocol packets bytes start end action log-status
                       ccn: srcaddr dstregionid dstport start dstaddr version packets ccnid
                            protocol srcregionid bytes action region-id srcport end log-status
                       "<field names>": a custom format, e.g. "version srcaddr dstaddr action"
  -h, --help           print this help

Exit status: 0 all lines parsed, 2 some lines rejected, 1 usage error or unreadable input.
`;

export interface ParseIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

interface Options {
  format: 'auto' | LogFormat;
  files: string[];
}

/** The options, 'help', or a usage error message. */
function readArgs(argv: string[]): Options | 'help' | { usage: string } {
  if (argv.includes('-h') || argv.includes('--help')) return 'help';
  let format: Options['format'] = 'auto';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.startsWith('--format=') ? arg.slice('--format='.length) : argv[++i];
      if (value === undefined)
        return { usage: `${arg} needs a value: auto, eni, ccn or field names` };
      const spec = parseFormatSpec(value);
      if (!spec.ok) return { usage: `bad --format: ${spec.error.message}` };
      format = spec.data;
    } else if (arg.startsWith('-') && arg !== '-') {
      return { usage: `unknown option ${JSON.stringify(arg)}` };
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) return { usage: 'missing FILE argument (use - for stdin)' };
  return { format, files };
}

/** Writes to a stream, waiting for 'drain' when it is full; remembers a failed stream (EPIPE...). */
class Sink {
  failed = false;
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
    stream.on('error', () => {
      this.failed = true;
    });
  }

  async write(text: string): Promise<void> {
    if (text === '' || this.failed) return;
    if (this.#stream.write(text)) return;
    await once(this.#stream, 'drain').catch(() => undefined); // rejects on 'error': failed is set
  }
}

const openErrors: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
};

function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'read error';
  if (code === 'Z_DATA_ERROR') return 'not valid gzip data';
  if (code === 'Z_BUF_ERROR') return 'truncated gzip data';
  return openErrors[code] ?? `read error (${code})`;
}

interface Input {
  name: string;
  handle: FileHandle | null;
}

async function openInputs(files: string[], stderr: Sink): Promise<Input[] | null> {
  const inputs: Input[] = [];
  let failed = false;
  for (const name of files) {
    if (name === '-') {
      inputs.push({ name, handle: null });
      continue;
    }
    try {
      const handle = await open(name, 'r');
      inputs.push({ name, handle });
      if ((await handle.stat()).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    } catch (err) {
      failed = true;
      await stderr.write(`flowdeck parse: cannot read ${JSON.stringify(name)}: ${describe(err)}\n`);
    }
  }
  if (!failed) return inputs;
  await Promise.all(inputs.map((input) => input.handle?.close()));
  return null;
}

function sourceOf(input: Input, stdin: NodeJS.ReadableStream): AsyncIterable<Buffer | string> {
  if (input.handle === null) return stdin as AsyncIterable<Buffer | string>;
  const file = input.handle.createReadStream({ highWaterMark: 256 * 1024 });
  if (!input.name.toLowerCase().endsWith('.gz')) return file;
  return pipeline(file, createGunzip(), () => {});
}

/** Parses one input; returns whether a line was rejected. Read errors are thrown. */
async function parseInput(
  input: Input,
  format: Options['format'],
  io: ParseIo,
  out: Sink,
  err: Sink,
): Promise<boolean> {
  const parser = createLineParser(format);
  const file = input.name;
  const decoder = new StringDecoder('utf8');
  let rejected = false;
  let lineNo = 0;
  let carry = '';
  /**
   * While dropping a line too long to hold: its line number and the characters counted so far.
   * It is reported at its newline with its real length (or "at least" at the end of the input).
   */
  let skipping: { lineNo: number; length: number; cr: boolean } | null = null;
  let stdoutText = '';
  let stderrText = '';

  const take = (line: string): void => {
    lineNo++;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const res = parser.parse(line, lineNo);
    if (res.kind === 'record') {
      stdoutText += `${JSON.stringify(recordToDocumented(res.record, res.format.fields))}\n`;
    } else if (res.kind === 'error') {
      rejected = true;
      const { line: n, reason, code, field } = res.error;
      stderrText += `${JSON.stringify({ file, line: n, error: reason, code, field })}\n`;
    }
  };
  const tooLong = (at: { lineNo: number; length: number }): void => {
    rejected = true;
    const error = tooLongReason(at.length);
    stderrText += `${JSON.stringify({ file, line: at.lineNo, error, code: 'too-long' })}\n`;
  };

  const feed = (text: string): void => {
    let from = 0;
    let nl = text.indexOf('\n');
    if (skipping) {
      if (nl === -1) {
        skipping.length += text.length;
        skipping.cr = text.endsWith('\r');
        return;
      }
      // A CRLF line's length is without its CR, as the parser reads it.
      skipping.length += nl - ((nl > 0 ? text[nl - 1] === '\r' : skipping.cr) ? 1 : 0);
      tooLong(skipping);
      skipping = null;
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    while (nl !== -1) {
      take(text.slice(from, nl));
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    carry = text.slice(from);
    if (carry.length > MAX_LINE_LENGTH) {
      // Too long to hold: counted on to its newline, and reported then.
      skipping = { lineNo: ++lineNo, length: carry.length, cr: carry.endsWith('\r') };
      carry = '';
    }
  };

  for await (const chunk of sourceOf(input, io.stdin)) {
    feed(carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk)));
    await out.write(stdoutText);
    await err.write(stderrText);
    stdoutText = '';
    stderrText = '';
    if (out.failed) return rejected;
  }
  feed(carry + decoder.end());
  if (skipping) {
    // The input ended inside the line (no newline): its length is what was read of it.
    tooLong(skipping);
    skipping = null;
  } else if (carry !== '') take(carry);
  await out.write(stdoutText);
  await err.write(stderrText);
  return rejected;
}

export async function runParse(argv: string[], io: ParseIo): Promise<number> {
  const out = new Sink(io.stdout);
  const err = new Sink(io.stderr);
  const args = readArgs(argv);
  if (args === 'help') {
    await out.write(PARSE_USAGE);
    return 0;
  }
  if ('usage' in args) {
    await err.write(`flowdeck parse: ${args.usage}\nRun "flowdeck parse --help" for usage.\n`);
    return 1;
  }
  const inputs = await openInputs(args.files, err);
  if (inputs === null) return 1;
  let rejected = false;
  try {
    for (const input of inputs) {
      if (out.failed) break; // stdout was closed (e.g. piped into head): stop quietly
      try {
        if (await parseInput(input, args.format, io, out, err)) rejected = true;
      } catch (e) {
        await err.write(
          `flowdeck parse: cannot read ${JSON.stringify(input.name)}: ${describe(e)}\n`,
        );
        return 1;
      }
    }
  } finally {
    await Promise.all(inputs.map((input) => input.handle?.close()));
  }
  return rejected ? 2 : 0;
}
