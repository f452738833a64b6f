// Flow-log files for ingest tests: good NAT gateway lines that are each unique (their source
// address and port tell which line they are), and a garbage mix as real inputs go wrong: binary
// bytes, NUL, invalid UTF-8, cut lines, a 1 MB line, wrong types, out-of-range numbers. CRLF
// line ends are good lines.

export const NAT = 'nat-4fq8l2tw';

/** A good line; line `i` has its own srcaddr and srcport (10.a.b.c:port). */
export function goodLine(i: number, startSec: number, crlf = false): string {
  const a = (i >> 16) & 255;
  const b = (i >> 8) & 255;
  const c = i & 255;
  const port = 1024 + (i % 60000);
  const line = `2 1300428518 ${NAT} 10.${a}.${b}.${c} 203.0.113.9 ${port} 443 6 3 ${100 + (i % 900)} ${startSec} ${startSec + 50} ACCEPT OK`;
  return crlf ? `${line}\r` : line;
}

const BAD = [
  // binary bytes (never \n), not UTF-8
  () => Buffer.from([0x80, 0xff, 0xfe, 0x01, 0x02, 0x9c, 0xc3, 0x28, 0x20, 0xe2, 0x82]),
  // a NUL inside an otherwise good-looking line
  (i: number, t: number) => Buffer.from(goodLine(i, t).replace(' 443 ', ' 4\u000043 ')),
  // invalid UTF-8 in the interface id
  (i: number, t: number) =>
    Buffer.concat([
      Buffer.from(goodLine(i, t).slice(0, 15)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(goodLine(i, t).slice(17)),
    ]),
  // cut short
  (i: number, t: number) => Buffer.from(goodLine(i, t).split(' ').slice(0, 6).join(' ')),
  // wrong types
  (i: number, t: number) => Buffer.from(goodLine(i, t).replace(' 6 3 ', ' tcp three ')),
  // out of range
  (i: number, t: number) => Buffer.from(goodLine(i, t).replace(' 443 ', ' 70000 ')),
  (i: number, t: number) => Buffer.from(goodLine(i, t).replace(' 443 6 ', ' 443 300 ')),
];

export interface GarbageFile {
  /** The file's bytes. */
  bytes: Buffer;
  lines: number;
  good: number;
  bad: number;
  /** Header lines (filtered). */
  headers: number;
  /** Line numbers (1-based) of the bad lines. */
  badLines: number[];
}

/**
 * `lines` lines: a header, then good lines with every tenth one bad (one of them a 1 MB line),
 * a CRLF ending on every seventh good line.
 */
export function garbageFile(lines: number, startSec: number): GarbageFile {
  const parts: Buffer[] = [];
  const badLines: number[] = [];
  let good = 0;
  parts.push(
    Buffer.from(
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n',
    ),
  );
  let k = 0;
  for (let n = 2; n <= lines; n++) {
    if (n % 10 === 0) {
      badLines.push(n);
      const line = n === 500 ? Buffer.alloc(1048576, 'x') : BAD[k++ % BAD.length]!(n, startSec);
      parts.push(line, Buffer.from('\n'));
    } else {
      good++;
      parts.push(Buffer.from(`${goodLine(n, startSec, n % 7 === 0)}\n`));
    }
  }
  return {
    bytes: Buffer.concat(parts),
    lines,
    good,
    bad: badLines.length,
    headers: 1,
    badLines,
  };
}
