// Text lines of a byte buffer, for every source that reads bytes (files, HTTP push): cut at \n
// (a trailing \r is the parser's business), decoded as UTF-8; a line that is not valid UTF-8 is
// an error item (rejected and kept), never silently altered.
import { isUtf8 } from 'node:buffer';
import type { LineItem } from './pipeline.ts';

export const BAD_ENCODING = { code: 'bad-encoding', reason: 'the line is not valid UTF-8' };

/** One line as text; `null` when its bytes are not valid UTF-8. */
export function lineText(buf: Buffer, start: number, end: number): string | null {
  const text = buf.toString('utf8', start, end);
  // The decoder writes U+FFFD for bytes that are not UTF-8: tell them from a real U+FFFD.
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) return null;
  return text;
}

/**
 * The lines of buf[start, end) as items: each line ends at a \n, and the last one at `end` when
 * it has none (the caller decides whether an unfinished line is a line yet).
 */
export function textItems(buf: Buffer, start = 0, end = buf.length): LineItem[] {
  const items: LineItem[] = [];
  let at = start;
  while (at < end) {
    let nl = buf.indexOf(10, at);
    if (nl < 0 || nl > end) nl = end;
    const text = lineText(buf, at, nl);
    // Kept as decoded when not UTF-8: the bytes that are not show as U+FFFD.
    items.push(text ?? { error: BAD_ENCODING, raw: buf.toString('utf8', at, nl) });
    at = nl + 1;
  }
  return items;
}
