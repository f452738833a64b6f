// A chart's own tooltip: an element in the chart's element, filled with a formatter's HTML (whose
// pieces are escaped, tooltip.ts) in the theme's colours, and placed beside the pointer inside the
// chart. The time charts (time-chart.ts) and the charts drawn in a worker (worker-chart.ts) use it;
// the region matrix places its own (a Svelte element) with besidePoint. Its look is `.fd-tooltip`
// in app.css.
import type { Palette } from './palette.ts';

/** Where a tooltip of `tipW` × `tipH` goes beside the point (x, y) of a `width` × `height` chart:
 * to its right if it fits, else to its left, centred on it and kept inside. */
export function besidePoint(
  x: number,
  y: number,
  tipW: number,
  tipH: number,
  width: number,
  height: number,
): { left: number; top: number } {
  return {
    left: x + 16 + tipW <= width ? x + 16 : Math.max(0, x - 16 - tipW),
    top: Math.max(0, Math.min(y - tipH / 2, height - tipH)),
  };
}

export class ChartTooltip {
  readonly el: HTMLDivElement;

  constructor(chart: HTMLElement) {
    this.el = document.createElement('div');
    this.el.className = 'fd-tooltip';
    this.el.setAttribute('role', 'tooltip');
    this.el.style.display = 'none';
    chart.append(this.el);
  }

  get shown(): boolean {
    return this.el.style.display !== 'none';
  }

  /** Shows `html` (a formatter's, its text escaped) in the palette's tooltip colours. */
  show(html: string, p: Palette): void {
    this.el.innerHTML = html;
    Object.assign(this.el.style, {
      display: 'block',
      background: p.tooltipBg,
      border: `1px solid ${p.tooltipBorder}`,
      color: p.text,
    });
  }

  /** Beside the point (x, y) of the chart, inside its width × height. */
  place(x: number, y: number, width: number, height: number): void {
    const tip = this.el;
    const at = besidePoint(x, y, tip.offsetWidth, tip.offsetHeight, width, height);
    tip.style.left = `${at.left}px`;
    tip.style.top = `${at.top}px`;
  }

  hide(): void {
    this.el.style.display = 'none';
  }

  remove(): void {
    this.el.remove();
  }
}
