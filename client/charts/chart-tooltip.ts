// A chart's own tooltip: an element in the chart's element, filled with a formatter's HTML (whose
// pieces are escaped, tooltip.ts) in the theme's colours, and placed beside the pointer inside the
// chart. The time charts (time-chart.ts) and the charts drawn in a worker (worker-chart.ts) use it.
import type { Palette } from './palette.ts';

export class ChartTooltip {
  readonly el: HTMLDivElement;

  constructor(chart: HTMLElement) {
    this.el = document.createElement('div');
    this.el.className = 'fd-tooltip';
    this.el.setAttribute('role', 'tooltip');
    Object.assign(this.el.style, {
      position: 'absolute',
      display: 'none',
      pointerEvents: 'none',
      zIndex: '3',
      padding: '8px 10px',
      borderRadius: '6px',
      fontSize: '12px',
      whiteSpace: 'nowrap',
      boxShadow: '0 6px 24px rgba(0,0,0,0.35)',
    });
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
    const right = x + 16 + tip.offsetWidth <= width;
    tip.style.left = `${right ? x + 16 : Math.max(0, x - 16 - tip.offsetWidth)}px`;
    tip.style.top = `${Math.max(0, Math.min(y - tip.offsetHeight / 2, height - tip.offsetHeight))}px`;
  }

  hide(): void {
    this.el.style.display = 'none';
  }

  remove(): void {
    this.el.remove();
  }
}
