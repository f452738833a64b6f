// A time chart on a canvas (time-canvas.ts), behind the slice of the ECharts instance API the chart
// lifecycle and the tests use: setOption (merging top-level components), setTheme, resize, the
// pointer events of the plot (getZr().on), pixel conversions, getOption, dispose. The hover
// tooltip is an element of the chart's own, filled by the option's formatter (whose pieces are
// escaped, tooltip.ts), and a one-pixel axis pointer. The layout (what the pointer maps back to)
// is made here; its scene is painted off the main thread when the browser can (time-painter.ts).
import { chartPixelRatio } from './render-scale.ts';
import { SceneCanvas } from './time-painter.ts';
import { ChartTooltip } from './chart-tooltip.ts';
import {
  fromPixel,
  inPlot,
  layoutTimeChart,
  nearestT,
  timeScene,
  toPixel,
  type TimeLayout,
  type TimeOption,
} from './time-canvas.ts';
import { palette, type ThemeName } from './palette.ts';
import type { ChartEngine } from './chart-lifecycle.svelte.ts';

type PointerHandler = (e: { offsetX: number; offsetY: number }) => void;
/** zrender's event names, as pointer events of the chart. */
const ZR_EVENTS: Readonly<Record<string, string>> = {
  mousedown: 'pointerdown',
  mousemove: 'pointermove',
  mouseup: 'pointerup',
  globalout: 'pointerleave',
};

export class TimeChart {
  readonly #el: HTMLElement;
  /** Painted off the main thread when the browser can (time-painter.ts). */
  readonly #canvas: SceneCanvas;
  readonly #tip: ChartTooltip;
  readonly #pointer: HTMLDivElement;
  #theme: ThemeName;
  #option: Record<string, unknown> = {};
  #layout: TimeLayout | null = null;
  #disposed = false;
  /** The element's size at the last resize (read there only: reading it on a paint right after
   * the page changed would lay the whole page out then). */
  #size = { w: 0, h: 0, dpr: 1 };
  /** Every listener of the chart goes with it (dispose). */
  readonly #listening = new AbortController();

  constructor(el: HTMLElement, theme: ThemeName) {
    this.#el = el;
    this.#theme = theme;
    this.#canvas = new SceneCanvas(el);
    this.#pointer = document.createElement('div');
    Object.assign(this.#pointer.style, {
      position: 'absolute',
      width: '1px',
      display: 'none',
      pointerEvents: 'none',
    });
    this.#tip = new ChartTooltip(el);
    el.append(this.#pointer);
    // Pointer events on the element (the canvas fills it, at its top left: the offsets are the
    // same), so that a canvas replaced (time-painter.ts) keeps them.
    const { signal } = this.#listening;
    el.addEventListener('pointermove', (e) => this.#hover(e), { signal });
    el.addEventListener('pointerleave', () => this.#unhover(), { signal });
    this.resize();
  }

  /** Merges top-level components (each replaced whole) and repaints. */
  setOption(option: object): void {
    Object.assign(this.#option, option);
    this.#paint();
  }

  /** The chart's element (as ECharts' getDom). */
  getDom(): HTMLElement {
    return this.#el;
  }

  /** The option as drawn (the tests read its series). */
  getOption(): TimeOption {
    return this.#option as TimeOption;
  }

  /** A registered ECharts theme name ('flowdeck-dark') or the app's ('dark'). */
  setTheme(name: string): void {
    this.#theme = name.endsWith('light') ? 'light' : 'dark';
    this.#paint();
  }

  resize(): void {
    const w = this.#el.clientWidth;
    const h = this.#el.clientHeight;
    const dpr = chartPixelRatio();
    this.#size = { w, h, dpr };
    this.#paint();
  }

  #paint(): void {
    if (this.#disposed) return;
    const { w, h, dpr } = this.#size;
    const option = this.#option as TimeOption;
    this.#layout = layoutTimeChart(option, w, h);
    this.#canvas.paint(timeScene(this.#layout, option, palette(this.#theme)), dpr);
  }

  #hover(e: PointerEvent): void {
    const l = this.#layout;
    const formatter = (this.#option as TimeOption).tooltip?.formatter;
    if (!l || !inPlot(l, e.offsetX, e.offsetY)) return this.#unhover();
    const t = nearestT(l, e.offsetX);
    const html = t === null || !formatter ? '' : formatter([{ axisValue: t }]);
    if (t === null || !html) return this.#unhover();
    const p = palette(this.#theme);
    const [x] = toPixel(l, t, 0);
    Object.assign(this.#pointer.style, {
      display: 'block',
      left: `${Math.round(x)}px`,
      top: `${l.plot.y}px`,
      height: `${l.plot.h}px`,
      background: p.axis,
    });
    // Beside the pointer, inside the chart.
    this.#tip.show(html, p);
    this.#tip.place(e.offsetX, e.offsetY, l.width, l.height);
  }

  #unhover(): void {
    this.#tip.hide();
    this.#pointer.style.display = 'none';
  }

  /** Pixels of the chart element to data (t, v) and back; whether a pixel is in the plot. */
  convertFromPixel(_finder: unknown, [x, y]: number[]): number[] | null {
    return this.#layout ? fromPixel(this.#layout, x!, y!) : null;
  }

  convertToPixel(_finder: unknown, [t, v]: number[]): number[] | null {
    return this.#layout ? toPixel(this.#layout, t!, v!) : null;
  }

  containPixel(_finder: unknown, [x, y]: number[]): boolean {
    return this.#layout !== null && inPlot(this.#layout, x!, y!);
  }

  /** The plot's pointer events, as ECharts' zrender names them (offsets in the chart element). */
  getZr() {
    const el = this.#el;
    const { signal } = this.#listening;
    const wrapped = new Map<PointerHandler, EventListener>();
    return {
      on: (name: string, fn: PointerHandler) => {
        const type = ZR_EVENTS[name];
        if (!type) return;
        const listener = (e: Event) => fn(e as PointerEvent);
        wrapped.set(fn, listener);
        el.addEventListener(type, listener, { signal });
      },
      off: (name: string, fn: PointerHandler) => {
        const type = ZR_EVENTS[name];
        const listener = wrapped.get(fn);
        if (type && listener) el.removeEventListener(type, listener);
      },
    };
  }

  /** Series clicks are ECharts' (a time chart takes plot clicks through getZr). */
  on(): void {}
  off(): void {}

  isDisposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#disposed = true;
    this.#listening.abort();
    this.#canvas.dispose();
    this.#tip.remove();
    this.#pointer.remove();
  }
}

/** The time charts' own canvas painter as the chart lifecycle's engine. */
export const timeEngine: ChartEngine = (el, theme) => new TimeChart(el, theme);
