// HTML pieces for ECharts tooltips. Every piece of text goes through escapeHtml here, so a
// formatter built from these never passes data text (addresses, names) to the page as HTML.
import { escapeHtml } from '../lib/format.ts';

/** Bold header line. */
export function tooltipHeader(text: string): string {
  return `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(text)}</div>`;
}

/** One "● label    value" line; `color` is one of our palette colours (escaped anyway). */
export function tooltipRow(color: string | null, label: string, value: string): string {
  const dot = color
    ? `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:${escapeHtml(color)}"></span>`
    : '';
  return (
    `<div style="display:flex;justify-content:space-between;gap:16px;line-height:1.6">` +
    `<span>${dot}${escapeHtml(label)}</span>` +
    `<span style="font-variant-numeric:tabular-nums;font-weight:600">${escapeHtml(value)}</span></div>`
  );
}

/** A centred "no data" note for an option (an ECharts title, stable id, hidden when there is data). */
export function emptyNote(show: boolean, text: string, color: string) {
  return {
    id: 'empty-note',
    show,
    text,
    left: 'center',
    top: 'middle',
    textStyle: { color, fontSize: 14, fontWeight: 600 as const },
  };
}

/** The row of a category chart an axis tooltip is about: `rows[dataIndex]` of its first param. */
export function rowAt<T>(rows: readonly T[], params: unknown): T | undefined {
  const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
  return rows[first?.dataIndex ?? -1];
}
