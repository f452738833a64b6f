// The whole lifecycle of one chart element, as a Svelte attachment: init with theme,
// ResizeObserver, merging setOption with stable series ids, theme switch, click events, drag to
// select an x interval, dispose. A chart off screen (scrolled away) or in a hidden tab keeps only
// its newest option and draws it when it is seen again: live updates cost nothing there. The instance lives in this closure only (never in $state); tests
// reach it through window.__flowdeckCharts (data-testid -> instance) while it lives. What draws
// is the caller's engine: ECharts (echarts.ts, loaded only by pages with such charts) or the time
// charts' own canvas (time-chart.ts); this module imports neither library.
import type { Attachment } from 'svelte/attachments';
import { untrack } from 'svelte';
import type { ECElementEvent, EChartsCoreOption } from 'echarts/core';
import {
  FunctionSlots,
  hasData,
  optionChanges,
  optionParts,
  sameParts,
  seriesKey,
  type OptionParts,
} from './chart-data.ts';
import { registerChart } from './chart-registry.ts';
import { cancelDraw, queueDraw } from './draw-queue.ts';
import { echartsTheme, type ThemeName } from './palette.ts';

interface ZrPointer {
  offsetX: number;
  offsetY: number;
}

/** What the lifecycle drives: the slice of an ECharts instance's API it uses. */
export interface ChartInstance {
  setOption(
    option: EChartsCoreOption,
    opts?: { notMerge?: boolean; lazyUpdate?: boolean; replaceMerge?: string[] },
  ): void;
  setTheme(theme: string): void;
  getOption(): unknown;
  resize(opts?: { animation?: { duration: number } }): void;
  on(event: 'click', handler: (params: unknown) => void): void;
  off(event: 'click', handler: (params: unknown) => void): void;
  getZr(): {
    on(event: string, handler: (e: ZrPointer) => void): void;
    off(event: string, handler: (e: ZrPointer) => void): void;
  };
  containPixel(finder: { gridIndex: number }, px: number[]): boolean;
  convertFromPixel(finder: { gridIndex: number }, px: number[]): unknown;
  isDisposed(): boolean;
  dispose(): void;
}

/** Makes a chart in an element. */
export type ChartEngine = (el: HTMLElement, theme: ThemeName) => ChartInstance;

export interface ChartParams {
  option: EChartsCoreOption;
  theme: ThemeName;
  onchartclick?: ((params: ECElementEvent) => void) | undefined;
  /**
   * A click (no drag) inside the plot area of the first grid (or just under it), in data
   * coordinates, with the y extent of one pixel (so thin bands can get a tolerance).
   */
  onplotclick?: ((x: number, y: number, yPerPixel: number) => void) | undefined;
  /** A drag across the plot area of the first grid: the x interval, data coordinates, ascending. */
  onxselect?: ((x0: number, x1: number) => void) | undefined;
  /** What draws the chart (read once, at the start). */
  engine: ChartEngine;
}

/** A press that moves less than this (px) is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 5;
/** Presses this close under the plot area count as on its bottom edge (thin bottom bands). */
const BELOW_PX = 6;

/** Press/drag/release on the first grid -> plot clicks and x selections; draws the band. */
function plotPointer(el: HTMLElement, chart: ChartInstance, get: () => ChartParams): () => void {
  const zr = chart.getZr();
  const band = document.createElement('div');
  band.className = 'fd-xselect';
  band.setAttribute('aria-hidden', 'true');
  Object.assign(band.style, {
    position: 'absolute',
    top: '0',
    bottom: '0',
    display: 'none',
    pointerEvents: 'none',
    background: 'color-mix(in srgb, var(--accent) 18%, transparent)',
    borderLeft: '1px solid var(--accent)',
    borderRight: '1px solid var(--accent)',
    zIndex: '2',
  });
  el.appendChild(band);

  let down: { x: number; y: number } | null = null;
  const inGrid = (x: number, y: number) =>
    chart.containPixel({ gridIndex: 0 }, [x, y]) ||
    chart.containPixel({ gridIndex: 0 }, [x, y - BELOW_PX]);
  const toData = (x: number, y: number): [number, number] | null => {
    const v = chart.convertFromPixel({ gridIndex: 0 }, [x, y]) as unknown;
    return Array.isArray(v) && Number.isFinite(v[0]) && Number.isFinite(v[1])
      ? [Number(v[0]), Number(v[1])]
      : null;
  };
  const hide = () => {
    band.style.display = 'none';
  };
  const wants = () => {
    const p = untrack(get);
    return Boolean(p.onplotclick || p.onxselect);
  };

  const onDown = (e: ZrPointer) => {
    down = wants() && inGrid(e.offsetX, e.offsetY) ? { x: e.offsetX, y: e.offsetY } : null;
  };
  const onMove = (e: ZrPointer) => {
    if (!down || !untrack(get).onxselect) return;
    const dx = e.offsetX - down.x;
    if (Math.abs(dx) < DRAG_THRESHOLD_PX) return hide();
    band.style.display = 'block';
    band.style.left = `${Math.min(down.x, e.offsetX)}px`;
    band.style.width = `${Math.abs(dx)}px`;
  };
  const onUp = (e: ZrPointer) => {
    const start = down;
    down = null;
    hide();
    if (!start) return;
    const p = untrack(get);
    if (Math.abs(e.offsetX - start.x) >= DRAG_THRESHOLD_PX) {
      const a = toData(start.x, start.y);
      const b = toData(e.offsetX, start.y);
      if (a && b && p.onxselect) p.onxselect(Math.min(a[0], b[0]), Math.max(a[0], b[0]));
      return;
    }
    const v = toData(e.offsetX, e.offsetY);
    const below = toData(e.offsetX, e.offsetY + 1);
    if (v && below && p.onplotclick) p.onplotclick(v[0], v[1], Math.abs(v[1] - below[1]));
  };
  const onOut = () => {
    down = null;
    hide();
  };
  zr.on('mousedown', onDown);
  zr.on('mousemove', onMove);
  zr.on('mouseup', onUp);
  zr.on('globalout', onOut);
  return () => {
    zr.off('mousedown', onDown);
    zr.off('mousemove', onMove);
    zr.off('mouseup', onUp);
    zr.off('globalout', onOut);
    band.remove();
  };
}

/**
 * Attach with `{@attach chartLifecycle(() => ({ option, theme, onchartclick }))}`. The getter is
 * read inside nested effects only, so option and theme changes update the chart in place instead
 * of re-creating it.
 */
export function chartLifecycle(get: () => ChartParams): Attachment<HTMLElement> {
  return (el) => {
    let theme = untrack(get).theme;
    const chart = untrack(get).engine(el, theme);
    const unregister = registerChart(el.dataset.testid, chart);
    let currentKey: string | null = null;

    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!chart.isDisposed()) chart.resize({ animation: { duration: 0 } });
      });
    });
    observer.observe(el);

    // What was drawn last and what was asked for last, per component, as JSON: a live update that
    // leaves this chart's data as it was (a window still reporting does not move the top list)
    // costs no redraw, and one that moves the series merges only what changed since the last draw
    // (optionChanges; a draw replaced while it waited for its frame never happened).
    let drawn: OptionParts = optionParts({});
    let asked: OptionParts = drawn;
    // The formatters the chart holds are stand-ins calling the newest ones (FunctionSlots).
    const slots = new FunctionSlots();
    const draw = (given: EChartsCoreOption) => {
      const parts = optionParts(given);
      if (sameParts(parts, asked)) return;
      asked = parts;
      // Drawn in a coming frame, beside the other charts' draws but not in the same frame.
      queueDraw(chart, () => {
        if (chart.isDisposed()) return;
        const option = slots.bind(given);
        const key = seriesKey(option);
        // A new series set replaces the old one whole (replaceMerge): the whole option goes.
        const replace = currentKey !== null && key !== currentKey;
        const changes =
          currentKey === null || replace ? option : optionChanges(option, parts, drawn);
        drawn = parts;
        if (!changes) return;
        // Only the first draw animates. An update drawn with animation (a new window entering, a
        // bar growing) redraws the chart every frame for a second: a live page would never rest.
        const base = currentKey === null ? option : { ...changes, animation: false };
        // The tooltip lives in the chart's own element, named as its container: without one,
        // ECharts reads the element's computed position on every update, which forces a style
        // recalculation of the whole page right after the page changed (about a third of an
        // update's main-thread time).
        const tip = base.tooltip as Record<string, unknown> | undefined;
        const next =
          tip && typeof tip === 'object' && !Array.isArray(tip)
            ? { ...base, tooltip: { ...tip, appendTo: el } }
            : base;
        chart.setOption(next, {
          notMerge: false,
          lazyUpdate: false,
          ...(replace ? { replaceMerge: ['series'] } : {}),
        });
        currentKey = key;
        if (hasData(option)) el.dataset.rendered = 'true';
      });
    };

    // Seen or not: drawn now, or the newest option kept for when it is.
    let onScreen = true;
    let waiting: EChartsCoreOption | null = null;
    const seen = () => onScreen && document.visibilityState !== 'hidden';
    const catchUp = () => {
      if (waiting && seen()) {
        const option = waiting;
        waiting = null;
        draw(option);
      }
    };
    const viewport = new IntersectionObserver((entries) => {
      onScreen = entries.at(-1)?.isIntersecting ?? true;
      catchUp();
    });
    viewport.observe(el);
    document.addEventListener('visibilitychange', catchUp);

    $effect(() => {
      const { option, theme: next } = get();
      if (next !== theme) {
        theme = next;
        chart.setTheme(echartsTheme(next));
      }
      // The first option is drawn at once (the chart has a size and a first frame to show).
      if (currentKey !== null && !seen()) {
        waiting = option;
        return;
      }
      waiting = null;
      draw(option);
    });

    $effect(() => {
      const handler = get().onchartclick;
      if (!handler) return;
      const listener = (params: unknown) => handler(params as ECElementEvent);
      chart.on('click', listener);
      return () => chart.off('click', listener);
    });

    const stopPointer = plotPointer(el, chart, get);

    return () => {
      cancelAnimationFrame(frame);
      cancelDraw(chart);
      observer.disconnect();
      viewport.disconnect();
      document.removeEventListener('visibilitychange', catchUp);
      stopPointer();
      unregister();
      chart.dispose();
    };
  };
}
