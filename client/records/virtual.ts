// Fixed-row-height virtualization: which rows of a long list to render for a scroll position, and
// keyboard-selection helpers. Pure; no DOM. Pixels are CSS pixels; indices are 0-based.

export interface ViewportInput {
  /** Scroll offset into the list body (not counting a sticky header above it). */
  scrollTop: number;
  /** Height of the visible part of the body. */
  viewportHeight: number;
  rowHeight: number;
  /** Rows in the list. */
  count: number;
  /** Extra rows rendered above and below the visible ones. */
  overscan: number;
}

export interface VisibleRange {
  /** First rendered row. */
  start: number;
  /** One past the last rendered row (start === end: nothing to render). */
  end: number;
  /** Offset of row `start` from the top of the body. */
  offsetTop: number;
  /** Height of the whole list. */
  totalHeight: number;
}

/** The rows to render: the visible ones plus `overscan` on each side, clamped to the list. */
export function visibleRange(input: ViewportInput): VisibleRange {
  const rowHeight = Math.max(1, input.rowHeight);
  const count = Math.max(0, Math.floor(input.count));
  const overscan = Math.max(0, Math.floor(input.overscan));
  const totalHeight = count * rowHeight;
  const height = Math.max(0, input.viewportHeight);
  const top = clamp(input.scrollTop, 0, Math.max(0, totalHeight - height));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + height) / rowHeight);
  const start = clamp(first - overscan, 0, count);
  const end = clamp(last + overscan, start, count);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** The scroll offset that brings row `index` fully into view, or null when it already is. */
export function revealScrollTop(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** Selection after a key: `delta` rows away (a page for PageUp/Down), clamped; -1 on an empty list. */
export function moveIndex(current: number | null, delta: number, count: number): number {
  if (count <= 0) return -1;
  if (current === null || current < 0) return delta < 0 ? count - 1 : 0;
  return clamp(current + delta, 0, count - 1);
}

/** True when the rendered range is within `threshold` rows of the end of what is loaded. */
export function nearEnd(rangeEnd: number, loaded: number, threshold: number): boolean {
  return loaded - rangeEnd <= threshold;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
