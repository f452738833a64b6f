// The CCN flow map's ECharts option: regions on a world map, one curved line per (src, dst) and
// action, width by bytes. Pure: same input, same option; no DOM and no ECharts runtime needed.
import type { LinesSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  GeoComponentOption,
  GraphicComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import type { ComposeOption, EChartsCoreOption } from 'echarts/core';
import type { WindowAggregate } from '../../shared/events.ts';
import { escapeHtml, formatBits, formatDuration, formatPercent, formatPps } from '../lib/format.ts';
import {
  bitRate,
  packetRate,
  placeRegions,
  summarisePairs,
  UNKNOWN_ROW,
  type LabelSide,
  type PairTotals,
  type RegionInfo,
} from '../lib/regions.ts';
import { palette, type ThemeName } from './palette.ts';
import { tooltipRow } from './tooltip.ts';

/** Name the world land masses are registered under (see client/lib/world-map.ts). */
export const WORLD_MAP = 'world';

/** Stable ids: setOption merges these in place. */
export const FLOWMAP_IDS = {
  geo: 'world',
  regions: 'regions',
  accept: 'accept-lines',
  reject: 'reject-lines',
  legend: 'flowmap-legend',
  summary: 'flowmap-summary',
  unknown: 'flowmap-unknown',
  empty: 'flowmap-empty',
} as const;

/** Line widths in px: thinnest and thickest (the largest flow of the map). */
export const LINE_WIDTH = { min: 1, max: 10 } as const;
/** Region node diameters in px. */
export const NODE_SIZE = { min: 8, max: 26 } as const;
/**
 * Bend of the lines. ECharts bends a line to the left of its direction, so A→B and B→A with the same
 * curveness bend to opposite sides and never overlap; REJECTs bend further than ACCEPTs of the pair.
 */
export const CURVENESS = { accept: 0.18, reject: 0.3 } as const;

export interface FlowPalette {
  land: string;
  landBorder: string;
  text: string;
  textMuted: string;
  /** Behind labels and the legend, so text reads over land and lines: the page background. */
  halo: string;
  node: string;
  nodeIdle: string;
  nodeUnknown: string;
  accept: string;
  reject: string;
}

/** The map's colours: the app palette's tokens, plus land a step lighter than the panel ("sea"). */
export function flowMapPalette(theme: ThemeName): FlowPalette {
  const p = palette(theme);
  return {
    land: theme === 'dark' ? '#1b2532' : '#e2e7ee',
    landBorder: theme === 'dark' ? '#2a3748' : '#c8d0da',
    text: p.text,
    textMuted: p.textMuted,
    halo: p.panel,
    node: p.accent,
    nodeIdle: p.axis,
    nodeUnknown: p.warn,
    accept: p.accept,
    reject: p.reject,
  };
}

export interface FlowMapOptions {
  theme: ThemeName;
  palette?: Partial<FlowPalette>;
  /**
   * Arrows moving along ACCEPT lines (default off): they redraw the map every frame, forever, so a
   * page showing the map never rests. Off, each ACCEPT line ends in a still arrow.
   */
  effect?: boolean;
  /**
   * Time the sums cover (s), when `windows` is not one aggregate per window (a range's region
   * pairs from the history API, passed as one pseudo window); rates divide by it.
   */
  seconds?: number;
}

export type FlowAction = 'ACCEPT' | 'REJECT';

/** What a pair's tooltip shows: the pair's sums over `seconds`, both actions. */
export interface PairTip {
  src: string;
  dst: string;
  acceptBytes: number;
  acceptPackets: number;
  rejectBytes: number;
  rejectPackets: number;
  /** Time the sums cover, s, in windows of windowMs. */
  seconds: number;
  windowMs: number;
}

/** A pair's sums as a tooltip shows them, over `seconds` in windows of `windowMs`. */
export function pairTip(p: PairTotals, seconds: number, windowMs: number): PairTip {
  return {
    src: p.src,
    dst: p.dst,
    acceptBytes: p.acceptBytes,
    acceptPackets: p.acceptPackets,
    rejectBytes: p.rejectBytes,
    rejectPackets: p.rejectPackets,
    seconds,
    windowMs,
  };
}

/** A line's data: what tooltips show and what a click hands to drill-down. */
export interface FlowLineDatum extends PairTip {
  name: string;
  coords: [[number, number], [number, number]];
  /** Bytes of this line's action over the windows. */
  value: number;
  action: FlowAction;
  bytes: number;
  packets: number;
  lineStyle: { width: number; curveness: number; opacity?: number };
  effect?: { symbolSize: number };
}

/** A region node's data. */
export interface FlowNodeDatum {
  /** Its label: the region's short name. */
  name: string;
  /** [lon, lat, bytes through the region]. */
  value: [number, number, number];
  region: string;
  short: string;
  fullName: string;
  known: boolean;
  outBytes: number;
  inBytes: number;
  rejectBytes: number;
  seconds: number;
  windowMs: number;
  symbolSize: number;
  itemStyle: { color: string };
  label: { position: LabelSide };
}

type FlowMapOption = ComposeOption<
  | GeoComponentOption
  | LinesSeriesOption
  | ScatterSeriesOption
  | GraphicComponentOption
  | TooltipComponentOption
>;

/** Miller cylindrical projection in degrees: a familiar world shape with tamer polar stretch. */
export const MILLER = {
  project([lon = 0, lat = 0]: number[]): number[] {
    const phi = (Math.max(-89.9, Math.min(89.9, lat)) * Math.PI) / 180;
    const y = 1.25 * Math.log(Math.tan(Math.PI / 4 + 0.4 * phi));
    return [lon, (-y * 180) / Math.PI];
  },
  unproject([x = 0, y = 0]: number[]): number[] {
    const yr = (-y * Math.PI) / 180;
    const phi = 2.5 * Math.atan(Math.exp(yr / 1.25)) - (5 * Math.PI) / 8;
    return [x, (phi * 180) / Math.PI];
  },
};

/** The view when the regions leave it open: the Americas, Europe and Asia. */
const WORLD_VIEW = { west: -128, east: 150, north: 60, south: -36 };
/** The view never gets narrower than this, so a single-country CCN still shows its neighbours. */
const MIN_VIEW = { lon: 70, lat: 36 };

/** REJECT lines of pairs losing at least this share of their bytes are drawn at full strength. */
const LOUD_REJECT_SHARE = 0.01;

/** A pair's REJECT share of its bytes (1 when it has only REJECTed packets, no bytes). */
export function rejectShare(p: PairTotals): number {
  const total = p.acceptBytes + p.rejectBytes;
  return total > 0 ? p.rejectBytes / total : p.rejectPackets > 0 ? 1 : 0;
}

/** Most lines drawn per action; smaller pairs stay in tooltips of the matrix. */
export const MAX_LINES = 60;

function topBy<T>(items: T[], key: (t: T) => number, limit: number): T[] {
  if (items.length <= limit) return items;
  return [...items].sort((a, b) => key(b) - key(a)).slice(0, limit);
}

/** Width in px of a line carrying `bytes` when the largest line of the map carries `max`: √ scale. */
export function lineWidth(bytes: number, max: number): number {
  if (!(max > 0) || !(bytes > 0)) return LINE_WIDTH.min;
  const t = Math.sqrt(Math.min(1, bytes / max));
  return Math.round((LINE_WIDTH.min + (LINE_WIDTH.max - LINE_WIDTH.min) * t) * 10) / 10;
}

function nodeSize(bytes: number, max: number): number {
  if (!(max > 0) || !(bytes > 0)) return NODE_SIZE.min;
  const t = Math.sqrt(Math.min(1, bytes / max));
  return Math.round(NODE_SIZE.min + (NODE_SIZE.max - NODE_SIZE.min) * t);
}

/** [[west, north], [east, south]] around the regions, padded; the world view if there are none. */
function viewBounds(infos: RegionInfo[]): number[][] {
  if (infos.length === 0) {
    return [
      [WORLD_VIEW.west, WORLD_VIEW.north],
      [WORLD_VIEW.east, WORLD_VIEW.south],
    ];
  }
  let west = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  let south = Infinity;
  for (const r of infos) {
    west = Math.min(west, r.coord[0] - 14);
    east = Math.max(east, r.coord[0] + 14);
    north = Math.max(north, r.coord[1] + 7);
    south = Math.min(south, r.coord[1] - 6);
  }
  const growLon = Math.max(0, MIN_VIEW.lon - (east - west)) / 2;
  const growLat = Math.max(0, MIN_VIEW.lat - (north - south)) / 2;
  west = Math.max(-180, west - growLon);
  east = Math.min(180, east + growLon);
  north = Math.min(80, north + growLat);
  south = Math.max(-70, south - growLat);
  return [
    [west, north],
    [east, south],
  ];
}

/** The flow map of the region pairs summed over `windows`; `regions` are drawn even when idle. */
export function buildFlowMapOption(
  windows: readonly WindowAggregate[],
  regions: readonly string[],
  opts: FlowMapOptions,
): EChartsCoreOption {
  const pal: FlowPalette = { ...flowMapPalette(opts.theme), ...opts.palette };
  const effect = opts.effect ?? false;
  const sum = summarisePairs(windows, regions);
  const n = opts.seconds ?? sum.seconds;
  const infos = placeRegions(sum.regions);
  const byId = new Map(infos.map((r) => [r.id, r]));

  // Bytes through each region (out + in, both actions), for node sizes and tooltips.
  const out = new Map<string, number>();
  const inn = new Map<string, number>();
  const rej = new Map<string, number>();
  let maxLine = 0;
  for (const p of sum.pairs) {
    const total = p.acceptBytes + p.rejectBytes;
    out.set(p.src, (out.get(p.src) ?? 0) + total);
    if (p.dst !== p.src) inn.set(p.dst, (inn.get(p.dst) ?? 0) + total);
    rej.set(p.src, (rej.get(p.src) ?? 0) + p.rejectBytes);
    if (p.dst !== p.src) rej.set(p.dst, (rej.get(p.dst) ?? 0) + p.rejectBytes);
    if (p.src !== p.dst) maxLine = Math.max(maxLine, p.acceptBytes, p.rejectBytes);
  }
  const through = (id: string): number => (out.get(id) ?? 0) + (inn.get(id) ?? 0);
  const maxNode = Math.max(0, ...infos.map((r) => through(r.id)));

  const nodes: FlowNodeDatum[] = infos.map((r) => {
    const bytes = through(r.id);
    return {
      name: r.short,
      value: [r.coord[0], r.coord[1], bytes],
      region: r.id,
      short: r.short,
      fullName: r.name,
      known: r.known,
      outBytes: out.get(r.id) ?? 0,
      inBytes: inn.get(r.id) ?? 0,
      rejectBytes: rej.get(r.id) ?? 0,
      seconds: n,
      windowMs: sum.windowMs,
      symbolSize: nodeSize(bytes, maxNode),
      itemStyle: { color: !r.known ? pal.nodeUnknown : bytes > 0 ? pal.node : pal.nodeIdle },
      label: { position: r.labelSide },
    };
  });

  const line = (p: PairTotals, action: FlowAction): FlowLineDatum => {
    const a = byId.get(p.src)!;
    const b = byId.get(p.dst)!;
    const bytes = action === 'ACCEPT' ? p.acceptBytes : p.rejectBytes;
    const width = lineWidth(bytes, maxLine);
    return {
      name: `${p.src} → ${p.dst} ${action}`,
      coords: [
        [a.coord[0], a.coord[1]],
        [b.coord[0], b.coord[1]],
      ],
      value: bytes,
      ...pairTip(p, n, sum.windowMs),
      action,
      bytes,
      packets: action === 'ACCEPT' ? p.acceptPackets : p.rejectPackets,
      lineStyle:
        action === 'ACCEPT'
          ? { width, curveness: CURVENESS.accept }
          : {
              width: Math.max(1.5, width),
              curveness: CURVENESS.reject,
              // A trickle of REJECTs stays visible but faint; a pair losing ≥ 1 % stands out.
              opacity: rejectShare(p) >= LOUD_REJECT_SHARE ? 1 : 0.45,
            },
      ...(action === 'ACCEPT' ? { effect: { symbolSize: Math.round(4 + width * 0.6) } } : {}),
    };
  };
  // A region's traffic to itself has no line; its bytes count in the node.
  const crossing = sum.pairs.filter((p) => p.src !== p.dst);
  // Past MAX_LINES a wall map is a hairball: draw the largest, say so in the summary.
  const accepting = crossing.filter((p) => p.acceptBytes > 0 || p.acceptPackets > 0);
  const rejecting = crossing.filter((p) => p.rejectBytes > 0 || p.rejectPackets > 0);
  const acceptLines = topBy(accepting, (p) => p.acceptBytes, MAX_LINES).map((p) =>
    line(p, 'ACCEPT'),
  );
  const rejectLines = topBy(rejecting, (p) => p.rejectBytes, MAX_LINES).map((p) =>
    line(p, 'REJECT'),
  );
  const hidden = accepting.length - acceptLines.length + (rejecting.length - rejectLines.length);

  const unknown = infos.filter((r) => !r.known).map((r) => r.id);
  const totalBytes = sum.acceptBytes + sum.rejectBytes;
  const spanText =
    (n === 0 ? 'no windows yet' : spanLabel(n, sum.windowMs)) +
    (hidden > 0 ? ` · largest ${MAX_LINES} lines per action drawn` : '');

  const option: FlowMapOption = {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      enterable: false,
      // As the worker-drawn map's tooltip (worker-chart.ts), whichever draws it.
      className: 'fd-tooltip',
      formatter: (params: TipParams | TipParams[]) => flowMapTooltip(params, pal),
    },
    // The land is not drawn here but by a chart of its own under this one (flowMapLand): ECharts
    // rebuilds and repaints every polygon of a shown geo on each update, about two thirds of the
    // map's redraw. Hidden, the geo still projects the lines and regions.
    geo: {
      id: FLOWMAP_IDS.geo,
      show: false,
      map: WORLD_MAP,
      roam: false,
      silent: true,
      projection: MILLER,
      boundingCoords: viewBounds(infos),
      preserveAspect: 'contain',
      // The summary, the legend and the span selector sit over the sea, not in margins: NOC
      // panels are short and wide, and every pixel of height goes to the map.
      left: 8,
      right: 8,
      top: 24,
      bottom: LEGEND_H + 6,
      itemStyle: { areaColor: pal.land, borderColor: pal.landBorder, borderWidth: 0.8 },
      emphasis: { disabled: true },
      select: { disabled: true },
      // No geo `tooltip` here: series on the geo inherit it, `show: false` would mute the lines.
    },
    series: [
      {
        id: FLOWMAP_IDS.accept,
        name: 'ACCEPT',
        type: 'lines',
        coordinateSystem: 'geo',
        // Explicit: LinesView asks the painter for the layer of its zlevel, and an unset one makes
        // zrender add a second full-size canvas ("zr_undefined").
        zlevel: 0,
        z: 3,
        lineStyle: { color: pal.accept, opacity: 0.7, curveness: CURVENESS.accept, cap: 'round' },
        symbol: effect ? 'none' : ['none', 'arrow'],
        symbolSize: 9,
        emphasis: { focus: 'self', blurScope: 'series', lineStyle: { opacity: 1 } },
        effect: {
          show: effect,
          constantSpeed: 60,
          trailLength: 0,
          symbol: 'arrow',
          symbolSize: 6,
          color: pal.text,
        },
        data: acceptLines,
      },
      {
        id: FLOWMAP_IDS.reject,
        name: 'REJECT',
        type: 'lines',
        coordinateSystem: 'geo',
        zlevel: 0,
        z: 4,
        lineStyle: {
          color: pal.reject,
          opacity: 0.9,
          type: [6, 4],
          curveness: CURVENESS.reject,
        },
        emphasis: { focus: 'self', blurScope: 'series', lineStyle: { opacity: 1 } },
        effect: { show: false },
        data: rejectLines,
      },
      {
        id: FLOWMAP_IDS.regions,
        name: 'Regions',
        type: 'scatter',
        coordinateSystem: 'geo',
        z: 5,
        symbol: 'circle',
        itemStyle: { borderColor: pal.halo, borderWidth: 2, opacity: 1 },
        label: {
          show: true,
          distance: 7,
          fontSize: 15,
          fontWeight: 600,
          color: pal.text,
          textBorderColor: pal.halo,
          textBorderWidth: 4,
          // The node's name is its label: a template, not a function, so that the option can be
          // posted to the worker that draws the map (worker-chart.ts).
          formatter: '{b}',
        },
        // Crowded clusters (Guangzhou and Hong Kong): the smaller region's label gives way.
        labelLayout: { hideOverlap: true },
        emphasis: { scale: 1.3, label: { show: true } },
        data: nodes,
      },
    ],
    graphic: {
      elements: [
        summaryGraphic(pal, spanText, totalBytes, sum.rejectBytes, n),
        legendGraphic(pal, maxLine, n),
        unknownGraphic(pal, unknown),
        {
          id: FLOWMAP_IDS.empty,
          type: 'text',
          z: OVERLAY_Z,
          left: 'center',
          top: 'middle',
          invisible: crossing.length > 0,
          silent: true,
          style: {
            text: n === 0 ? 'Waiting for the first capture window…' : 'No cross-region traffic',
            fill: pal.textMuted,
            stroke: pal.halo,
            lineWidth: 4,
            font: '600 18px sans-serif',
          },
        },
      ],
    },
  };
  return option as EChartsCoreOption;
}

/**
 * The land under a flow map: a chart of the map's geo alone (the same projection, bounds and
 * layout), shown. Drawn once and again only when the map's view or theme changes, not on every
 * live update as the lines are.
 */
export function flowMapLand(map: EChartsCoreOption): EChartsCoreOption {
  const geo = (map as { geo?: Record<string, unknown> }).geo;
  return { animation: false, geo: { ...geo, show: true } };
}

type Graphic = NonNullable<
  Extract<GraphicComponentOption, { elements?: unknown }>['elements']
>[number];

function summaryGraphic(
  pal: FlowPalette,
  spanText: string,
  totalBytes: number,
  rejectBytes: number,
  n: number,
): Graphic {
  const share = totalBytes > 0 ? rejectBytes / totalBytes : 0;
  return {
    id: FLOWMAP_IDS.summary,
    type: 'text',
    z: OVERLAY_Z,
    left: 12,
    top: 8,
    silent: true,
    style: {
      stroke: pal.halo,
      lineWidth: 3,
      text:
        n === 0
          ? spanText
          : `${formatBits(bitRate(totalBytes, n))} cross-region · ${formatPercent(share)} REJECT · ${spanText}`,
      fill: pal.textMuted,
      font: '600 14px sans-serif',
    },
  };
}

/**
 * Graphic z, set on every element: ECharts applies the component-level `z` only to elements whose
 * z is unset, and zrender elements start at 0, so the legend would sit under the land.
 */
const OVERLAY_Z = 100;

/** Char width estimate for laying out legend text in a graphic group (no text measuring here). */
const CHAR_PX = 6.2;
/** Height of the legend row under the map, px. */
const LEGEND_H = 22;

/** One row under the map: the two line styles, the node, and the width scale with three samples. */
function legendGraphic(pal: FlowPalette, maxLine: number, n: number): Graphic {
  const children: Graphic[] = [];
  const y = LEGEND_H / 2;
  let x = 0;
  const text = (id: string, label: string, muted = false): void => {
    children.push({
      type: 'text',
      z: OVERLAY_Z,
      id,
      x,
      y,
      style: {
        text: label,
        fill: muted ? pal.textMuted : pal.text,
        font: '12px sans-serif',
        verticalAlign: 'middle',
      },
    });
    x += label.length * CHAR_PX + 18;
  };
  const sample = (id: string, width: number, color: string, dashed: boolean): void => {
    children.push({
      type: 'line',
      z: OVERLAY_Z,
      id,
      // Round caps stick out by half the width: keep them inside the sample's 28 px.
      shape: { x1: x + width / 2, y1: y, x2: x + 28 - width / 2, y2: y },
      style: {
        stroke: color,
        lineWidth: width,
        lineDash: dashed ? [6, 4] : false,
        lineCap: 'round',
      },
    });
    x += 34;
  };
  sample('legend-accept-line', 3, pal.accept, false);
  text('legend-accept-text', 'ACCEPT');
  sample('legend-reject-line', 2, pal.reject, true);
  text('legend-reject-text', 'REJECT');
  children.push({
    type: 'circle',
    z: OVERLAY_Z,
    id: 'legend-node-dot',
    shape: { cx: x + 6, cy: y, r: 6 },
    style: { fill: pal.node, stroke: pal.halo, lineWidth: 2 },
  });
  x += 18;
  text('legend-node-text', 'region (size: traffic)');
  text('legend-scale-head', 'line width ∝ √rate:', true);
  // A 25th of the thickest line, a quarter, and the thickest: near-min, mid and max width.
  for (const [i, f] of [0.04, 0.25, 1].entries()) {
    const bytes = maxLine * f;
    sample(`legend-scale-${i}-line`, lineWidth(bytes, maxLine), pal.accept, false);
    text(`legend-scale-${i}-text`, maxLine > 0 && n > 0 ? formatBits(bitRate(bytes, n)) : '—');
  }
  return {
    id: FLOWMAP_IDS.legend,
    type: 'group',
    z: OVERLAY_Z,
    left: 14,
    bottom: 4,
    silent: true,
    children,
  };
}

function unknownGraphic(pal: FlowPalette, unknown: string[]): Graphic {
  const shown = unknown.slice(0, 6).map((id) => (id.length > 32 ? `${id.slice(0, 31)}…` : id));
  const more = unknown.length > shown.length ? ` +${unknown.length - shown.length} more` : '';
  return {
    id: FLOWMAP_IDS.unknown,
    type: 'text',
    z: OVERLAY_Z,
    left: 12,
    top: 28,
    invisible: unknown.length === 0,
    silent: true,
    style: {
      stroke: pal.halo,
      lineWidth: 3,
      text: `Unknown regions (placed at lat ${-UNKNOWN_ROW.lat}°S row): ${shown.join(', ')}${more}`,
      fill: pal.nodeUnknown,
      font: '600 13px sans-serif',
    },
  };
}

/** The bits of ECharts' tooltip callback params this formatter reads. */
interface TipParams {
  seriesId?: string;
  data?: unknown;
}

/** Tooltip HTML for a line or a region node; every string from outside is escaped. */
export function flowMapTooltip(
  params: TipParams | TipParams[],
  pal: Pick<FlowPalette, 'accept' | 'reject'>,
): string {
  const p = Array.isArray(params) ? params[0] : params;
  if (!p || typeof p.data !== 'object' || p.data === null) return '';
  if (p.seriesId === FLOWMAP_IDS.regions) return nodeTooltip(p.data as FlowNodeDatum, pal);
  if (p.seriesId === FLOWMAP_IDS.accept || p.seriesId === FLOWMAP_IDS.reject) {
    return pairTooltip(p.data as FlowLineDatum, pal);
  }
  return '';
}

/** "ap-guangzhou → eu-frankfurt: 1.2 Gbps ACCEPT, 12 Mbps REJECT (0.9%)", then rows with packet rates. */
export function pairTooltip(d: PairTip, pal: Pick<FlowPalette, 'accept' | 'reject'>): string {
  const n = d.seconds;
  const total = d.acceptBytes + d.rejectBytes;
  const share = total > 0 ? d.rejectBytes / total : 0;
  const accept = formatBits(bitRate(d.acceptBytes, n));
  const reject = formatBits(bitRate(d.rejectBytes, n));
  const head =
    `${escapeHtml(d.src)} → ${escapeHtml(d.dst)}: ` +
    `${accept} ACCEPT, ${reject} REJECT (${formatPercent(share)})`;
  return (
    `<div style="font-weight:600;margin-bottom:4px">${head}</div>` +
    tooltipRow(pal.accept, 'ACCEPT', `${accept} · ${formatPps(packetRate(d.acceptPackets, n))}`) +
    tooltipRow(pal.reject, 'REJECT', `${reject} · ${formatPps(packetRate(d.rejectPackets, n))}`) +
    tooltipRow(null, 'Span', spanLabel(n, d.windowMs))
  );
}

function nodeTooltip(d: FlowNodeDatum, pal: Pick<FlowPalette, 'accept' | 'reject'>): string {
  const n = d.seconds;
  const title = d.known
    ? `${escapeHtml(d.short)} · ${escapeHtml(d.region)}`
    : `${escapeHtml(d.region)} · unknown region`;
  const total = d.outBytes + d.inBytes;
  const share = total > 0 ? d.rejectBytes / total : 0;
  return (
    `<div style="font-weight:600">${title}</div>` +
    `<div style="opacity:.75;margin-bottom:4px">${escapeHtml(d.known ? d.fullName : 'drawn in the bottom row')}</div>` +
    tooltipRow(pal.accept, 'Out', formatBits(bitRate(d.outBytes, n))) +
    tooltipRow(pal.accept, 'In', formatBits(bitRate(d.inBytes, n))) +
    tooltipRow(
      pal.reject,
      'REJECT',
      `${formatBits(bitRate(d.rejectBytes, n))} (${formatPercent(share)})`,
    ) +
    tooltipRow(null, 'Span', spanLabel(n, d.windowMs))
  );
}

/** "1 window (5 min)" or "average of 15 windows (15 min)": `seconds` covered by `windowMs` windows. */
export function spanLabel(seconds: number, windowMs: number): string {
  const n = Math.round((seconds * 1000) / windowMs);
  const length = formatDuration(seconds * 1000);
  return n === 1 ? `1 window (${length})` : `average of ${n} windows (${length})`;
}
