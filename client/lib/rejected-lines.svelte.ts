// The rejected-lines view of a topic: GET /api/ingest/rejected, filtered by reason and by source
// (origin), newest first, a page at a time ("older").
import type { RejectedLineEntry, RejectedLinesPage } from '../../shared/api.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import { getJson } from './api.ts';

const isPage = (v: unknown): v is RejectedLinesPage =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as RejectedLinesPage).lines) &&
  Array.isArray((v as RejectedLinesPage).byReason);

/** A piece of a rejected line: text as it is, or a control character shown as an escape. */
export interface LinePiece {
  text: string;
  control: boolean;
}

/**
 * A line cut into text and control characters, each control shown as `\xNN` (`\t`, `\r`),
 * so NUL bytes, tabs and CRs are visible whatever fonts the screen has. Text stays text.
 */
export function linePieces(raw: string): LinePiece[] {
  const out: LinePiece[] = [];
  let text = '';
  for (const ch of raw) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c !== 0x7f) {
      text += ch;
      continue;
    }
    if (text !== '') out.push({ text, control: false });
    text = '';
    const esc =
      c === 9
        ? '\\t'
        : c === 13
          ? '\\r'
          : c === 10
            ? '\\n'
            : `\\x${c.toString(16).padStart(2, '0')}`;
    out.push({ text: esc, control: true });
  }
  if (text !== '') out.push({ text, control: false });
  return out;
}

export class RejectedLines {
  lines = $state.raw<RejectedLineEntry[]>([]);
  total = $state(0);
  byReason = $state.raw<RejectedLinesPage['byReason']>([]);
  bySource = $state.raw<RejectedLinesPage['bySource']>([]);
  reason = $state('');
  origin = $state('');
  loading = $state(false);
  error = $state.raw<ErrorBody | null>(null);
  #next: string | null = null;
  hasMore = $state(false);

  readonly topicId: string;
  #seq = 0;

  constructor(topicId: string) {
    this.topicId = topicId;
  }

  /** The first page for the current filters. */
  async load(): Promise<void> {
    await this.#fetch(null);
  }

  async more(): Promise<void> {
    if (this.#next) await this.#fetch(this.#next);
  }

  async #fetch(before: string | null): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    const r = await getJson<RejectedLinesPage>(
      '/api/ingest/rejected',
      {
        topic: this.topicId,
        reason: this.reason,
        origin: this.origin,
        before,
        limit: 50,
      },
      undefined,
      { check: isPage },
    );
    if (seq !== this.#seq) return;
    this.loading = false;
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.error = null;
    this.lines = before ? [...this.lines, ...r.data.lines] : r.data.lines;
    this.total = r.data.total;
    this.byReason = r.data.byReason;
    this.bySource = r.data.bySource;
    this.#next = r.data.next;
    this.hasMore = r.data.next !== null;
  }
}
