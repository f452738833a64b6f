// The bucket time charts (traffic volume, REJECT share) laid out and painted on a canvas, from the
// same option their builders make for ECharts (traffic-option.ts, ratio-option.ts): a grid, a time
// x axis, a value y axis from 0, stacked or plain lines with areas, dashed parts, shaded alert
// windows, an empty note (the legend is a row of the page's above it, ChartLegend.svelte). Made for
// these two charts only: a live update repaints them in well under a millisecond, where ECharts'
// whole update pipeline took 6 to 11 ms per chart.
// Three steps: the layout (domains, ticks, stacked points: what the pointer maps back to), the
// scene (everything to paint, in CSS pixels, plain data: it can be posted to a worker), and the
// paint (paintSceneOn: a canvas of the page's, or an OffscreenCanvas in time-paint.worker.ts).
// Layout and scene are pure and unit tested.
import type { Palette } from './palette.ts';

/** The part of an ECharts line series the time charts use. */
export interface TimeSeries {
  id: string;
  name: string;
  stack?: string;
  showSymbol?: boolean;
  symbolSize?: number;
  lineStyle?: { width?: number; color?: string; type?: 'solid' | 'dashed'; opacity?: number };
  itemStyle?: { color?: string };
  areaStyle?: { color?: string; opacity?: number };
  markArea?: {
    itemStyle?: { color?: string; opacity?: number };
    data?: ReadonlyArray<readonly [{ xAxis: number; name?: string }, { xAxis: number }]>;
  };
  data: ReadonlyArray<readonly [number, number]>;
}

type TimeFormatter = string | Partial<Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>>;

/** The part of an ECharts option the time charts use. */
export interface TimeOption {
  grid?: { left?: number; right?: number; top?: number; bottom?: number };
  xAxis?: {
    min?: number;
    max?: number;
    splitNumber?: number;
    axisLabel?: { formatter?: TimeFormatter };
  };
  yAxis?: {
    min?: number;
    max?: number;
    interval?: number;
    splitNumber?: number;
    axisLabel?: { formatter?: (v: number) => string };
  };
  /** The legend's names; a name `selected: false` is hidden (its series are neither stacked nor
   * drawn, and the value axis fits the rest), as in ECharts. The legend itself is the page's
   * (ChartLegend.svelte, from timeLegend), not painted. */
  legend?: { data?: readonly string[]; selected?: Readonly<Record<string, boolean>> };
  title?: { show?: boolean; text?: string };
  tooltip?: { formatter?: (params: unknown) => string };
  series?: readonly TimeSeries[];
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A series' points with the band each covers: [t, lower, upper] (upper is its stacked value). */
export interface LaidSeries {
  series: TimeSeries;
  points: Array<readonly [number, number, number]>;
}

export interface TimeLayout {
  width: number;
  height: number;
  plot: Rect;
  /** The x domain [t0, t1] and the y domain [0, yMax]. */
  t0: number;
  t1: number;
  yMax: number;
  yTicks: number[];
  xTicks: number[];
  series: LaidSeries[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/** A round interval near `raw` (1, 2, 3 or 5 times a power of ten), as ECharts' value axes pick. */
export function niceInterval(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const f = Number((raw / base).toPrecision(10));
  const nf = f < 1.5 ? 1 : f < 2.5 ? 2 : f < 4 ? 3 : f < 7 ? 5 : 10;
  // Rounded to the power's precision (0.1 * 3 is not 0.30000000000000004 here).
  return exp < 0 ? Number((nf * base).toFixed(-exp)) : nf * base;
}

/** The value axis: [0, max] in round steps over `dataMax` (or the option's own max and step). */
export function valueTicks(
  dataMax: number,
  axis: TimeOption['yAxis'] = {},
): { max: number; ticks: number[] } {
  const split = axis.splitNumber ?? 5;
  let interval = axis.interval;
  let max = axis.max;
  if (interval === undefined) interval = niceInterval((max ?? (dataMax > 0 ? dataMax : 1)) / split);
  if (max === undefined) max = Math.max(interval, Math.ceil(dataMax / interval - 1e-9) * interval);
  const ticks: number[] = [];
  for (let i = 0; i * interval <= max * (1 + 1e-9); i++)
    ticks.push(Number((i * interval).toPrecision(12)));
  return { max, ticks };
}

const zoneMs = (t: number) => -new Date(t).getTimezoneOffset() * MINUTE;

/**
 * Tick times over [t0, t1] on local-time boundaries: the shortest round step giving at most
 * `2 × splitNumber` ticks, at least `minGapPx` apart over `widthPx`.
 */
export function timeTicks(
  t0: number,
  t1: number,
  widthPx: number,
  splitNumber = 5,
  minGapPx = 48,
): number[] {
  const span = t1 - t0;
  if (!(span > 0)) return [t0];
  const step =
    TIME_STEPS.find((s) => span / s <= splitNumber * 2 && (widthPx * s) / span >= minGapPx) ??
    TIME_STEPS.at(-1)!;
  const out: number[] = [];
  const zone = zoneMs(t0);
  for (let t = Math.ceil((t0 + zone) / step) * step - zone; t <= t1; t += step) out.push(t);
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

function fill(template: string, d: Date): string {
  return template
    .replace('{yyyy}', String(d.getFullYear()))
    .replace('{MMM}', MONTHS[d.getMonth()]!)
    .replace('{d}', String(d.getDate()))
    .replace('{HH}', pad(d.getHours()))
    .replace('{mm}', pad(d.getMinutes()));
}

/** A tick's label: one template, or per level (the day at local midnight, else the time). */
export function timeLabel(t: number, formatter: TimeFormatter = '{HH}:{mm}'): string {
  const d = new Date(t);
  if (typeof formatter === 'string') return fill(formatter, d);
  const midnight = d.getHours() === 0 && d.getMinutes() === 0;
  const template = midnight
    ? d.getDate() === 1
      ? (formatter.month ?? formatter.day)
      : formatter.day
    : d.getMinutes() === 0
      ? formatter.hour
      : formatter.minute;
  return fill(template ?? formatter.minute ?? '{HH}:{mm}', d);
}

/**
 * Stacked series add up in their order (the first is the bottom band), per x. (Plain loops and
 * indexes, no destructuring: this runs once per live update, in code the engine has not
 * optimised, where each destructured pair allocates an iterator and its results.)
 */
function stackSeries(series: readonly TimeSeries[]): LaidSeries[] {
  const tops = new Map<string, Map<number, number>>();
  return series.map((s) => {
    const top = s.stack === undefined ? null : (tops.get(s.stack) ?? new Map<number, number>());
    if (s.stack !== undefined && top) tops.set(s.stack, top);
    const points = new Array<readonly [number, number, number]>(s.data.length);
    for (let i = 0; i < s.data.length; i++) {
      const d = s.data[i]!;
      const t = d[0];
      const v = d[1];
      const lo = top?.get(t) ?? 0;
      const hi = lo + (Number.isFinite(v) ? v : 0);
      top?.set(t, hi);
      points[i] = [t, lo, hi];
    }
    return { series: s, points };
  });
}

export function layoutTimeChart(option: TimeOption, width: number, height: number): TimeLayout {
  const g = option.grid ?? {};
  const plot = {
    x: g.left ?? 60,
    y: g.top ?? 30,
    w: Math.max(1, width - (g.left ?? 60) - (g.right ?? 16)),
    h: Math.max(1, height - (g.top ?? 30) - (g.bottom ?? 24)),
  };
  const selected = option.legend?.selected ?? {};
  const series = stackSeries((option.series ?? []).filter((s) => selected[s.name] !== false));
  let lo = Infinity;
  let hi = -Infinity;
  let dataMax = 0;
  for (const s of series)
    for (let i = 0; i < s.points.length; i++) {
      const p = s.points[i]!;
      lo = Math.min(lo, p[0]);
      hi = Math.max(hi, p[0]);
      dataMax = Math.max(dataMax, p[2]);
    }
  const now = Date.now();
  let t0 = option.xAxis?.min ?? (Number.isFinite(lo) ? lo : now - HOUR);
  let t1 = option.xAxis?.max ?? (Number.isFinite(hi) ? hi : now);
  if (t1 <= t0) [t0, t1] = [t0 - MINUTE, t0 + MINUTE];
  const { max, ticks } = valueTicks(dataMax, option.yAxis);
  return {
    width,
    height,
    plot,
    t0,
    t1,
    yMax: max,
    yTicks: ticks,
    xTicks: timeTicks(t0, t1, plot.w, option.xAxis?.splitNumber),
    series,
  };
}

/** Data (t, v) to pixels, and back. */
export function toPixel(l: TimeLayout, t: number, v: number): [number, number] {
  return [pixelX(l, t), pixelY(l, v)];
}

/** Time t's x, value v's y, in pixels (toPixel's parts, for loops that make no pair per point). */
const pixelX = (l: TimeLayout, t: number) => l.plot.x + ((t - l.t0) / (l.t1 - l.t0)) * l.plot.w;
const pixelY = (l: TimeLayout, v: number) => l.plot.y + l.plot.h - (v / l.yMax) * l.plot.h;

export function fromPixel(l: TimeLayout, x: number, y: number): [number, number] {
  return [
    l.t0 + ((x - l.plot.x) / l.plot.w) * (l.t1 - l.t0),
    ((l.plot.y + l.plot.h - y) / l.plot.h) * l.yMax,
  ];
}

export function inPlot(l: TimeLayout, x: number, y: number): boolean {
  const p = l.plot;
  return x >= p.x && x <= p.x + p.w && y >= p.y && y <= p.y + p.h;
}

/** The data x nearest pixel x among the series' points (what an axis tooltip is about). */
export function nearestT(l: TimeLayout, x: number): number | null {
  const [t] = fromPixel(l, x, 0);
  let best: number | null = null;
  for (const s of l.series)
    for (const [pt] of s.points)
      if (best === null || Math.abs(pt - t) < Math.abs(best - t)) best = pt;
  return best;
}

/** One band of a series: its upper edge, the area under it, its line and points. */
export interface SceneBand {
  /** The upper edge, x and y pairs from left to right. (Typed arrays: the scene goes to the
   * painting worker on every live update, and a typed array is copied in one piece.) */
  top: Float64Array;
  /** The area's lower edge, x and y pairs from right to left; null without an area. */
  bottom: Float64Array | null;
  area: { color: string; opacity: number } | null;
  line: { color: string; width: number; opacity: number; dashed: boolean } | null;
  /** A dot on each point of the upper edge. */
  symbol: { color: string; radius: number } | null;
}

/** What a time chart paints, in CSS pixels: plain data, no function (structured-cloneable). */
export interface TimeScene {
  width: number;
  height: number;
  plot: Rect;
  fontFamily: string;
  colors: { muted: string; grid: string; axis: string };
  /** Shaded alert windows, behind everything. */
  marks: Array<{ x: number; w: number; color: string; opacity: number }>;
  /** Value axis split lines (at half pixels) and their labels. */
  yTicks: Array<{ y: number; label: string }>;
  /** Time axis labels, centred on x (the painter leaves out one that would overlap). */
  xTicks: Array<{ x: number; label: string }>;
  /** The time axis line, at a half pixel. */
  baseline: number;
  bands: SceneBand[];
  /** The empty note, centred on the plot. */
  note: string | null;
}

/** Points' x and one of their y values (1: the band's lower edge, 2: its upper edge) in pixels. */
function xyOf(l: TimeLayout, pts: LaidSeries['points'], at: 1 | 2, reversed = false): Float64Array {
  const xy = new Float64Array(pts.length * 2);
  for (let i = 0; i < pts.length; i++) {
    const p = pts[reversed ? pts.length - 1 - i : i]!;
    xy[2 * i] = pixelX(l, p[0]);
    xy[2 * i + 1] = pixelY(l, p[at]);
  }
  return xy;
}

/** A legend entry: a filled swatch for a stacked band, else a line (dashed as its series). */
export interface LegendItem {
  name: string;
  color: string;
  swatch: 'band' | 'line';
  dashed: boolean;
}

/** The legend of a time chart's option: each name once, in the colour of its first series. */
export function timeLegend(option: TimeOption, p: Palette): LegendItem[] {
  return (option.legend?.data ?? []).map((name) => {
    const s = (option.series ?? []).find((x) => x.name === name);
    return {
      name,
      color: s?.itemStyle?.color ?? s?.lineStyle?.color ?? p.textMuted,
      swatch: s?.areaStyle && s.stack !== undefined ? 'band' : 'line',
      dashed: s?.lineStyle?.type === 'dashed',
    };
  });
}

/** The scene of a laid-out chart: pixels, label texts (the option's formatters) and colours. */
export function timeScene(l: TimeLayout, option: TimeOption, p: Palette): TimeScene {
  const { plot } = l;
  const marks: TimeScene['marks'] = [];
  for (const s of l.series) {
    const m = s.series.markArea;
    if (!m?.data?.length) continue;
    for (const [a, b] of m.data) {
      const x0 = pixelX(l, a.xAxis);
      const x1 = pixelX(l, b.xAxis);
      marks.push({
        x: Math.min(x0, x1),
        w: Math.abs(x1 - x0),
        color: m.itemStyle?.color ?? p.rejectFill,
        opacity: m.itemStyle?.opacity ?? 0.35,
      });
    }
  }
  const yFormat = option.yAxis?.axisLabel?.formatter ?? ((v: number) => String(v));
  const xFormat = option.xAxis?.axisLabel?.formatter;
  const bands = l.series.flatMap(({ series: s, points }): SceneBand[] => {
    if (points.length === 0) return [];
    const color = s.lineStyle?.color ?? s.itemStyle?.color ?? p.accent;
    const top = xyOf(l, points, 2);
    const bottom = s.areaStyle ? xyOf(l, points, 1, true) : null;
    const width = s.lineStyle?.width ?? 2;
    return [
      {
        top,
        bottom,
        area: s.areaStyle
          ? { color: s.areaStyle.color ?? color, opacity: s.areaStyle.opacity ?? 1 }
          : null,
        line:
          width > 0
            ? {
                color,
                width,
                opacity: s.lineStyle?.opacity ?? 1,
                dashed: s.lineStyle?.type === 'dashed',
              }
            : null,
        symbol: s.showSymbol
          ? { color: s.itemStyle?.color ?? color, radius: (s.symbolSize ?? 5) / 2 }
          : null,
      },
    ];
  });
  return {
    width: l.width,
    height: l.height,
    plot,
    fontFamily: p.fontFamily,
    colors: { muted: p.textMuted, grid: p.grid, axis: p.axis },
    marks,
    yTicks: l.yTicks.map((v) => ({
      y: Math.round(pixelY(l, v)) + 0.5,
      label: yFormat(v),
    })),
    xTicks: l.xTicks.map((t) => ({ x: pixelX(l, t), label: timeLabel(t, xFormat) })),
    baseline: Math.round(plot.y + plot.h) + 0.5,
    bands,
    note: option.title?.show && option.title.text ? option.title.text : null,
  };
}

const LABEL_FONT = 11;

/** The 2D context calls the painter makes: a canvas's or an OffscreenCanvas's context. */
type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Traces x and y pairs: a new path part, or (`join`) on from the current point. */
function tracePath(ctx: Context2D, xy: Float64Array, join: boolean): void {
  for (let i = 0; i < xy.length; i += 2) {
    if (i === 0 && !join) ctx.moveTo(xy[0]!, xy[1]!);
    else ctx.lineTo(xy[i]!, xy[i + 1]!);
  }
}

/**
 * Sizes `canvas` to the scene at `dpr` device pixels per CSS pixel and paints it: a canvas of the
 * page's (time-painter.ts, when there is no worker) or an OffscreenCanvas (time-paint.worker.ts).
 */
export function paintSceneOn(
  canvas: HTMLCanvasElement | OffscreenCanvas,
  scene: TimeScene,
  dpr: number,
): void {
  const w = Math.max(1, Math.round(scene.width * dpr));
  const h = Math.max(1, Math.round(scene.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d') as Context2D | null;
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  paintScene(ctx, scene);
}

/** Paints a scene (the context's transform already scales CSS pixels to the canvas's). */
function paintScene(ctx: Context2D, s: TimeScene): void {
  const { plot } = s;
  ctx.clearRect(0, 0, s.width, s.height);
  const font = (size: number, weight = 400) => `${weight} ${size}px ${s.fontFamily}`;

  // Alert windows, behind everything (clipped to the plot).
  if (s.marks.length > 0) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x, plot.y, plot.w, plot.h);
    ctx.clip();
    for (const m of s.marks) {
      ctx.fillStyle = m.color;
      ctx.globalAlpha = m.opacity;
      ctx.fillRect(m.x, plot.y, m.w, plot.h);
    }
    ctx.restore();
  }

  // The value axis: split lines and labels.
  ctx.font = font(LABEL_FONT);
  ctx.fillStyle = s.colors.muted;
  ctx.strokeStyle = s.colors.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const { y, label } of s.yTicks) {
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
    ctx.stroke();
    ctx.fillText(label, plot.x - 8, y);
  }
  // The time axis: its line and labels (a label that would overlap the one before is left out).
  ctx.strokeStyle = s.colors.axis;
  ctx.beginPath();
  ctx.moveTo(plot.x, s.baseline);
  ctx.lineTo(plot.x + plot.w, s.baseline);
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  let lastRight = -Infinity;
  for (const { x, label } of s.xTicks) {
    const w = ctx.measureText(label).width;
    if (x - w / 2 < lastRight + 6) continue;
    ctx.fillText(label, x, s.baseline + 5);
    lastRight = x + w / 2;
  }

  // The bands: each one's area, then its line, then its points.
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y - 2, plot.w, plot.h + 4);
  ctx.clip();
  for (const b of s.bands) {
    if (b.area && b.bottom) {
      ctx.beginPath();
      tracePath(ctx, b.top, false);
      tracePath(ctx, b.bottom, true);
      ctx.closePath();
      ctx.globalAlpha = b.area.opacity;
      ctx.fillStyle = b.area.color;
      ctx.fill();
    }
    if (b.line) {
      ctx.beginPath();
      tracePath(ctx, b.top, false);
      ctx.globalAlpha = b.line.opacity;
      ctx.strokeStyle = b.line.color;
      ctx.lineWidth = b.line.width;
      ctx.lineJoin = 'round';
      ctx.setLineDash(b.line.dashed ? [5, 4] : []);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (b.symbol) {
      ctx.globalAlpha = 1;
      ctx.fillStyle = b.symbol.color;
      for (let i = 0; i < b.top.length; i += 2) {
        ctx.beginPath();
        ctx.arc(b.top[i]!, b.top[i + 1]!, b.symbol.radius, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }
  ctx.restore();

  // The empty note, centred on the plot.
  if (s.note) {
    ctx.font = font(14, 600);
    ctx.fillStyle = s.colors.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(s.note, plot.x + plot.w / 2, plot.y + plot.h / 2);
  }
}
