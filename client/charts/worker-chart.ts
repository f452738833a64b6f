// An ECharts chart drawn in a worker: the chart's canvas is handed over (transferControlToOffscreen)
// to a worker that holds the ECharts instance, and the page keeps a stand-in with the slice of the
// instance API the chart lifecycle uses (setOption, setTheme, resize, click events, getOption,
// dispose). The flow map's redraw on a live update cost the page about 14 ms of script plus its
// paint, for some eighty curved lines and their labels; drawn here, it costs the post of an option.
// The pointer is the page's: moves, presses and clicks are forwarded to the worker's ECharts (its
// hover states and hit tests), which answers with ECharts' own events; the tooltip is an element
// of the page, filled by the option's formatter. Should the worker fail (it did not load, or it
// threw), the chart is drawn on the page by `fallback` from then on, from the option as merged.
import type { ECElementEvent, EChartsCoreOption } from 'echarts/core';
import type { ChartEngine, ChartInstance } from './chart-lifecycle.svelte.ts';
import { echartsTheme, palette, type ThemeName } from './palette.ts';
import { chartPixelRatio } from './render-scale.ts';
import { ChartTooltip } from './chart-tooltip.ts';
import { WorkerHost } from './worker-host.ts';

/** What the page tells a chart worker, about its chart `id`. */
export type ToChartWorker = { id: number } & (
  | {
      kind: 'init';
      canvas: OffscreenCanvas;
      width: number;
      height: number;
      dpr: number;
      theme: string;
    }
  | { kind: 'option'; option: Record<string, unknown>; replaceMerge?: string[] }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'theme'; theme: string }
  | { kind: 'pointer'; type: PointerKind; x: number; y: number }
  | { kind: 'dispose' }
);

/** zrender's pointer events, as the worker's chart is given them. */
export type PointerKind = 'mousemove' | 'mousedown' | 'mouseup' | 'click' | 'mouseout';

/** What an event on an element of the worker's chart says (a slice of ECharts' params). */
export interface ChartEventParams {
  componentType?: string;
  seriesId?: string;
  seriesType?: string;
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  data?: unknown;
}

/** What a chart worker tells the page: an event of chart `id`, or that it failed that chart (a
 * failure of the worker itself is its `error` event). */
export type FromChartWorker =
  | {
      kind: 'event';
      id: number;
      type: 'mouseover' | 'mouseout' | 'click';
      params: ChartEventParams;
    }
  | { kind: 'error'; id: number; message: string };

/**
 * The option as it can be posted: functions (formatters, which the worker has no use for) are left
 * out, and so is the tooltip (the page shows it; it holds the DOM node it is appended to).
 */
export function postable(option: Record<string, unknown>): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (typeof v === 'function') return undefined;
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = strip(x);
      if (y !== undefined) out[k] = y;
    }
    return out;
  };
  const { tooltip: _tooltip, ...rest } = option;
  return strip(rest) as Record<string, unknown>;
}

const idOf = (c: unknown): unknown =>
  c !== null && typeof c === 'object' ? (c as { id?: unknown }).id : undefined;

/**
 * `next` merged into `drawn` as ECharts merges a setOption: a component list merges by id (an item
 * without an id, or with a new one, is added), `replace` lists are taken whole, anything else is
 * replaced. What the chart shows, for getOption and for a redraw elsewhere.
 */
export function mergeOption(
  drawn: Record<string, unknown>,
  next: Record<string, unknown>,
  replace: readonly string[] = [],
): Record<string, unknown> {
  const out = { ...drawn };
  for (const [key, value] of Object.entries(next)) {
    const had = out[key];
    if (Array.isArray(value) && Array.isArray(had) && !replace.includes(key)) {
      const merged = [...had];
      for (const item of value) {
        const id = idOf(item);
        const at = id === undefined ? -1 : merged.findIndex((m) => idOf(m) === id);
        if (at >= 0) merged[at] = { ...(merged[at] as object), ...(item as object) };
        else merged.push(item);
      }
      out[key] = merged;
    } else if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      had !== null &&
      typeof had === 'object' &&
      !Array.isArray(had)
    ) {
      out[key] = { ...had, ...value };
    } else out[key] = value;
  }
  return out;
}

const themeName = (echarts: string): ThemeName =>
  echarts === echartsTheme('light') ? 'light' : 'dark';

type ClickHandler = (params: unknown) => void;

/** The worker every chart of an engine shares (worker-host.ts). */
type ChartWorkerHost = WorkerHost<WorkerChart, ToChartWorker>;

/** The page's stand-in for a chart drawn in a worker. */
export class WorkerChart implements ChartInstance {
  readonly #el: HTMLElement;
  readonly #fallback: ChartEngine;
  readonly #host: ChartWorkerHost;
  /** Its id on the host's worker; null once drawn on the page. */
  #id: number | null;
  #canvas: HTMLCanvasElement | null;
  /** Drawing on the page after the worker failed. */
  #local: ChartInstance | null = null;
  #theme: ThemeName;
  #option: Record<string, unknown> = {};
  #disposed = false;
  readonly #clicks = new Set<ClickHandler>();
  readonly #tip: ChartTooltip;
  /** The element under the pointer (its params), and where the pointer is. */
  #hovered: ChartEventParams | null = null;
  #at = { x: 0, y: 0 };
  /** A pointer move waiting for its frame (one is posted per frame). */
  #moveFrame = 0;
  readonly #listening = new AbortController();

  /** Call `start` once made: drawn by the host's worker from then on, or on the page. */
  constructor(el: HTMLElement, theme: ThemeName, host: ChartWorkerHost, fallback: ChartEngine) {
    this.#el = el;
    this.#theme = theme;
    this.#fallback = fallback;
    this.#host = host;
    this.#id = null;
    const canvas = document.createElement('canvas');
    Object.assign(canvas.style, { position: 'absolute', left: '0', top: '0' });
    el.prepend(canvas);
    this.#canvas = canvas;
    this.#tip = new ChartTooltip(el);
  }

  /** Joins the host's worker and hands it the canvas; on the page if the host has no worker. */
  start(): this {
    this.#id = this.#host.join(this);
    if (this.#id === null) {
      this.lost('no worker');
      return this;
    }
    const size = this.#size();
    const offscreen = this.#canvas!.transferControlToOffscreen();
    this.#post(
      {
        kind: 'init',
        canvas: offscreen,
        ...size,
        dpr: chartPixelRatio(),
        theme: echartsTheme(this.#theme),
      },
      [offscreen],
    );
    this.#listen();
    return this;
  }

  setOption(option: EChartsCoreOption, opts?: { replaceMerge?: string[] }): void {
    const given = option as Record<string, unknown>;
    this.#option = mergeOption(this.#option, given, opts?.replaceMerge);
    if (this.#local) return this.#local.setOption(option, opts);
    this.#post({
      kind: 'option',
      option: postable(given),
      ...(opts?.replaceMerge ? { replaceMerge: opts.replaceMerge } : {}),
    });
  }

  setTheme(theme: string): void {
    this.#theme = themeName(theme);
    if (this.#local) return this.#local.setTheme(theme);
    this.#post({ kind: 'theme', theme });
  }

  getOption(): unknown {
    return this.#option;
  }

  resize(): void {
    if (this.#local) return this.#local.resize({ animation: { duration: 0 } });
    this.#post({ kind: 'resize', ...this.#size() });
  }

  on(event: 'click', handler: ClickHandler): void {
    this.#clicks.add(handler);
    this.#local?.on(event, handler);
  }

  off(event: 'click', handler: ClickHandler): void {
    this.#clicks.delete(handler);
    this.#local?.off(event, handler);
  }

  /** Plot clicks and drags are for grid charts; this one has none (the map has no grid). */
  getZr(): ReturnType<ChartInstance['getZr']> {
    return this.#local?.getZr() ?? { on: () => {}, off: () => {} };
  }

  containPixel(finder: { gridIndex: number }, px: number[]): boolean {
    return this.#local?.containPixel(finder, px) ?? false;
  }

  convertFromPixel(finder: { gridIndex: number }, px: number[]): unknown {
    return this.#local?.convertFromPixel(finder, px) ?? null;
  }

  isDisposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    this.#disposed = true;
    cancelAnimationFrame(this.#moveFrame);
    this.#listening.abort();
    if (this.#id !== null) this.#host.leave(this.#id, { id: this.#id, kind: 'dispose' });
    this.#id = null;
    this.#local?.dispose();
    this.#canvas?.remove();
    this.#tip.remove();
  }

  /** The element's size, px (read on a resize only). */
  #size(): { width: number; height: number } {
    const width = Math.max(1, this.#el.clientWidth);
    const height = Math.max(1, this.#el.clientHeight);
    if (this.#canvas) {
      this.#canvas.style.width = `${width}px`;
      this.#canvas.style.height = `${height}px`;
    }
    return { width, height };
  }

  /** Posts to this chart on the worker (its id added). */
  #post(message: DistributiveOmit<ToChartWorker, 'id'>, transfer: Transferable[] = []): void {
    if (this.#id !== null) this.#host.post({ ...message, id: this.#id } as ToChartWorker, transfer);
  }

  /** An event of this chart on the worker. */
  heard(m: Extract<FromChartWorker, { kind: 'event' }>): void {
    const { type, params } = m;
    if (type === 'click') {
      for (const h of this.#clicks) h(params as ECElementEvent);
    } else if (type === 'mouseover') {
      this.#hovered = params;
      this.#showTip();
    } else {
      this.#hovered = null;
      this.#hideTip();
    }
  }

  /** The page's pointer, forwarded to the worker's chart (moves once per frame). */
  #listen(): void {
    const { signal } = this.#listening;
    const el = this.#el;
    const at = (e: PointerEvent | MouseEvent) => {
      const box = el.getBoundingClientRect();
      this.#at = { x: e.clientX - box.left, y: e.clientY - box.top };
      return this.#at;
    };
    const send = (type: PointerKind, p: { x: number; y: number }) =>
      this.#post({ kind: 'pointer', type, x: p.x, y: p.y });
    el.addEventListener(
      'pointermove',
      (e) => {
        at(e);
        if (this.#hovered) this.#placeTip();
        if (this.#moveFrame) return;
        this.#moveFrame = requestAnimationFrame(() => {
          this.#moveFrame = 0;
          send('mousemove', this.#at);
        });
      },
      { signal },
    );
    el.addEventListener('pointerdown', (e) => send('mousedown', at(e)), { signal });
    el.addEventListener('pointerup', (e) => send('mouseup', at(e)), { signal });
    el.addEventListener('click', (e) => send('click', at(e)), { signal });
    el.addEventListener(
      'pointerleave',
      () => {
        cancelAnimationFrame(this.#moveFrame);
        this.#moveFrame = 0;
        send('mouseout', { x: -1, y: -1 });
        this.#hovered = null;
        this.#hideTip();
      },
      { signal },
    );
  }

  #showTip(): void {
    const tooltip = this.#option.tooltip as { formatter?: (params: unknown) => string } | undefined;
    const html = this.#hovered && tooltip?.formatter ? tooltip.formatter(this.#hovered) : '';
    if (!html) return this.#hideTip();
    this.#tip.show(html, palette(this.#theme));
    const clickable = this.#hovered?.componentType === 'series' && this.#clicks.size > 0;
    this.#el.style.cursor = clickable ? 'pointer' : '';
    this.#placeTip();
  }

  #placeTip(): void {
    if (!this.#tip.shown) return;
    this.#tip.place(this.#at.x, this.#at.y, this.#el.clientWidth, this.#el.clientHeight);
  }

  #hideTip(): void {
    this.#tip.hide();
    this.#el.style.cursor = '';
  }

  /** The worker is gone (or failed this chart): the chart is drawn on the page from now on. */
  lost(message: string): void {
    if (this.#local || this.#disposed) return;
    console.warn('flowdeck: a chart is drawn on the main thread:', message);
    this.#listening.abort();
    cancelAnimationFrame(this.#moveFrame);
    this.#id = null;
    this.#canvas?.remove();
    this.#canvas = null;
    this.#hideTip();
    this.#tip.remove();
    const local = this.#fallback(this.#el, this.#theme);
    this.#local = local;
    for (const h of this.#clicks) local.on('click', h);
    local.setOption(this.#option as EChartsCoreOption, { notMerge: true });
  }
}

/**
 * A chart engine drawing in the worker `makeWorker` gives (one for every chart of this engine, made
 * when the first is), where the browser can hand a canvas to a worker; `fallback` draws on the page
 * otherwise (or once the worker fails).
 */
export function workerEngine(makeWorker: () => Worker, fallback: ChartEngine): ChartEngine {
  const host: ChartWorkerHost = new WorkerHost(makeWorker, (data) => {
    const m = data as FromChartWorker;
    if (m.kind === 'event') host.member(m.id)?.heard(m);
    else host.lose(m.id, m.message);
  });
  return (el, theme) => {
    if (
      typeof Worker === 'undefined' ||
      typeof OffscreenCanvas === 'undefined' ||
      typeof HTMLCanvasElement.prototype.transferControlToOffscreen !== 'function'
    )
      return fallback(el, theme);
    return new WorkerChart(el, theme, host, fallback).start();
  };
}

/** Omit over each member of a union (Omit alone merges them). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
