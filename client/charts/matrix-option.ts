// The CCN region matrix's ECharts option: source regions down, destination regions across, cell
// colour by bit rate on a decade scale, REJECTing cells outlined. Pure, like every option builder.
import type { HeatmapSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  TitleComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import type { ComposeOption, EChartsCoreOption } from 'echarts/core';
import type { WindowAggregate } from '../../shared/events.ts';
import { formatBits, formatCount, formatPercent } from '../lib/format.ts';
import { bitRate, regionInfo, summarisePairs } from '../lib/regions.ts';
import { LOUD_REJECT_SHARE, pairTooltip, type PairTip } from './flowmap-option.ts';
import { palette, type ThemeName } from './palette.ts';

/** Stable ids: setOption merges these in place. */
export const MATRIX_IDS = {
  grid: 'matrix-grid',
  x: 'matrix-dst',
  y: 'matrix-src',
  cells: 'matrix-cells',
  scale: 'matrix-scale',
  summary: 'matrix-summary',
  empty: 'matrix-empty',
} as const;

export interface MatrixPalette {
  text: string;
  textMuted: string;
  /** Label outline and cell gaps: the page background. */
  halo: string;
  /** Alternating backgrounds of empty rows. */
  stripe: [string, string];
  /** Low to high bit rate. */
  ramp: string[];
  accept: string;
  reject: string;
}

/** Colours: the app palette's tokens and a dark-to-bright (dark theme) or light-to-dark ramp. */
export function matrixPalette(theme: ThemeName): MatrixPalette {
  const p = palette(theme);
  return {
    text: p.text,
    textMuted: p.textMuted,
    halo: p.panel,
    stripe:
      theme === 'dark'
        ? ['rgba(255,255,255,0.025)', 'rgba(255,255,255,0.055)']
        : ['rgba(0,0,0,0.02)', 'rgba(0,0,0,0.045)'],
    ramp:
      theme === 'dark'
        ? ['#163a5a', '#1a6496', '#2196c4', '#35c2c4', '#8fe08a', '#f2e85c']
        : ['#d6e8f6', '#a3cdec', '#64a9d8', '#2f7fbf', '#0f5ba0', '#08306b'],
    accept: p.accept,
    reject: p.reject,
  };
}

export interface RegionMatrixOptions {
  theme: ThemeName;
  palette?: Partial<MatrixPalette>;
  /** The chart's size in px, to fit labels to the cells (default 900 × 520). */
  width?: number;
  height?: number;
  /** Time the sums cover (s), when `windows` is a range's pseudo window (see the flow map). */
  seconds?: number;
}

/** Where a cell's REJECT share goes: a second line, after the rate, or only the red border. */
export type RejectText = 'below' | 'inline' | 'none';

/** Space the selector row and the title take above the grid, px. */
const TOP = 40;
/** Width of the colour scale on the right, px. */
const SCALE_W = 136;

/** Label sizes that fit the estimated cells; the estimates err on the small side. */
export function matrixSizing(width: number, height: number, ids: readonly string[]) {
  const n = Math.max(1, ids.length);
  const infos = ids.map((id) => regionInfo(id));
  const longest = Math.max(4, ...infos.map((r) => r.short.length));
  const longestCode = Math.max(2, ...infos.map((r) => r.code.length));
  const names = height >= 380;
  const yLabelW = Math.min(120, longest * 7.5 + 10);
  const cellW = Math.max(0, width - SCALE_W - yLabelW - 24 - (names ? 24 : 0)) / n;
  const xLabel: 'short' | 'code' = cellW >= longest * 7.5 + 6 ? 'short' : 'code';
  const rotate = xLabel === 'short' || cellW >= longestCode * 8.5 + 4 ? 0 : 90;
  const xLabelH = rotate === 0 ? 20 : longestCode * 8.5 + 6;
  const cellH = Math.max(0, height - TOP - xLabelH - 12 - (names ? 22 : 0)) / n;
  const font = Math.max(10, Math.min(14, Math.floor(Math.min(cellH * 0.62, cellW / 5))));
  const rejectText: RejectText =
    cellH >= 2 * (font + 3) + 4 ? 'below' : cellW >= 11 * font * 0.62 + 6 ? 'inline' : 'none';
  return {
    names,
    xLabel,
    rotate,
    axisFont: cellH >= 22 && cellW >= 40 ? 13 : 11,
    cellLabels: cellW >= 38 && cellH >= 14,
    font,
    rejectText,
  };
}

/** One cell: `value` is [destination index, source index, bit rate]. */
export interface MatrixCellDatum extends PairTip {
  value: [number, number, number];
  /** Both actions' bytes over the windows. */
  bytes: number;
  label: { color: string; textBorderColor: string };
  itemStyle?: { borderColor: string; borderWidth: number };
}

type MatrixOption = ComposeOption<
  | GridComponentOption
  | HeatmapSeriesOption
  | VisualMapComponentOption
  | TooltipComponentOption
  | TitleComponentOption
>;

/** Most colour pieces the scale gets; beyond, it steps by whole decades. */
const MAX_PIECES = 8;

function edgesBetween(min: number, max: number, mantissas: number[]): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(min)) - 1; k <= Math.ceil(Math.log10(max)) + 1; k++) {
    for (const m of mantissas) {
      const e = m * 10 ** k;
      if (e > min && e <= max) out.push(e);
    }
  }
  return out;
}

/**
 * Log-scale colour pieces covering `rates` (bit/s), edges at 1 and 3 × 10^k ("10M–30M"), whole
 * decades when that makes too many; the first and last pieces are open ("< 10M", "≥ 1G").
 */
export function ratePieces(rates: number[]): Array<{ gte?: number; lt?: number; label: string }> {
  const positive = rates.filter((r) => r > 0 && Number.isFinite(r));
  let min = positive.length ? Math.min(...positive) : 1e6;
  let max = positive.length ? Math.max(...positive) : 1e9;
  let edges = edgesBetween(min, max, [1, 3]);
  // A narrow band still gets a few pieces around it.
  while (edges.length < 2) {
    min /= 3;
    max *= 3;
    edges = edgesBetween(min, max, [1, 3]);
  }
  if (edges.length + 1 > MAX_PIECES) edges = edgesBetween(min, max, [1]);
  if (edges.length + 1 > MAX_PIECES) edges = edges.slice(-(MAX_PIECES - 1));
  const pieces: Array<{ gte?: number; lt?: number; label: string }> = [
    { lt: edges[0]!, label: `< ${formatCount(edges[0]!)}` },
  ];
  for (let i = 0; i + 1 < edges.length; i++) {
    const a = edges[i]!;
    const b = edges[i + 1]!;
    pieces.push({ gte: a, lt: b, label: `${formatCount(a)}–${formatCount(b)}` });
  }
  pieces.push({ gte: edges.at(-1)!, label: `≥ ${formatCount(edges.at(-1)!)}` });
  return pieces;
}

/** The matrix of the region pairs summed over `windows`; every region of `regions` gets a row and a column. */
export function buildRegionMatrixOption(
  windows: readonly WindowAggregate[],
  regions: readonly string[],
  opts: RegionMatrixOptions,
): EChartsCoreOption {
  const pal: MatrixPalette = { ...matrixPalette(opts.theme), ...opts.palette };
  const sum = summarisePairs(windows, regions);
  const n = opts.seconds ?? sum.seconds;
  const ids = sum.regions;
  const index = new Map(ids.map((id, i) => [id, i]));

  const pieces = ratePieces(sum.pairs.map((p) => bitRate(p.acceptBytes + p.rejectBytes, n)));
  const cells: MatrixCellDatum[] = sum.pairs.map((p) => {
    const bytes = p.acceptBytes + p.rejectBytes;
    const rate = bitRate(bytes, n);
    return {
      value: [index.get(p.dst)!, index.get(p.src)!, rate],
      src: p.src,
      dst: p.dst,
      bytes,
      acceptBytes: p.acceptBytes,
      acceptPackets: p.acceptPackets,
      rejectBytes: p.rejectBytes,
      rejectPackets: p.rejectPackets,
      seconds: n,
      windowMs: sum.windowMs,
      label: cellText(pal, opts.theme, pieceShare(pieces, rate)),
      ...(p.rejectBytes > 0 || p.rejectPackets > 0 ? { itemStyle: rejectBorder(pal, p) } : {}),
    };
  });
  const total = sum.acceptBytes + sum.rejectBytes;
  const share = total > 0 ? sum.rejectBytes / total : 0;
  const size = matrixSizing(opts.width ?? 900, opts.height ?? 520, ids);
  const short = (id: string): string => regionInfo(id).short;
  const xName = (id: string): string => regionInfo(id)[size.xLabel];
  const lineHeight = size.font + 3;
  const axisName = (name: string, gap: number) =>
    size.names
      ? {
          name,
          nameLocation: 'middle' as const,
          nameGap: gap,
          nameMoveOverlap: true,
          nameTextStyle: { color: pal.textMuted, fontSize: 13 },
        }
      : {};

  const option: MatrixOption = {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params: TipParams | TipParams[]) => matrixTooltip(params, pal),
    },
    grid: {
      id: MATRIX_IDS.grid,
      left: 12,
      right: SCALE_W,
      top: TOP,
      bottom: 12,
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
    xAxis: {
      id: MATRIX_IDS.x,
      type: 'category',
      data: ids,
      position: 'top',
      ...axisName('to (destination)', size.rotate === 0 ? 28 : 12),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: {
        color: pal.text,
        fontSize: size.axisFont,
        rotate: size.rotate,
        interval: 0,
        formatter: xName,
      },
      splitArea: { show: false },
    },
    yAxis: {
      id: MATRIX_IDS.y,
      type: 'category',
      data: ids,
      inverse: true,
      ...axisName('from (source)', 12),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { color: pal.text, fontSize: size.axisFont, interval: 0, formatter: short },
      splitArea: { show: true, areaStyle: { color: pal.stripe } },
    },
    visualMap: {
      id: MATRIX_IDS.scale,
      type: 'piecewise',
      dimension: 2,
      seriesId: MATRIX_IDS.cells,
      pieces,
      inRange: { color: pal.ramp },
      outOfRange: { color: pal.stripe[1] },
      orient: 'vertical',
      right: 8,
      top: 'middle',
      align: 'left',
      itemWidth: 22,
      itemHeight: 14,
      itemGap: 8,
      selectedMode: false,
      hoverLink: true,
      text: ['avg bit/s', ''],
      showLabel: true,
      textStyle: { color: pal.text, fontSize: 13 },
    },
    series: [
      {
        id: MATRIX_IDS.cells,
        name: 'Cross-region traffic',
        type: 'heatmap',
        itemStyle: { borderColor: pal.halo, borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: pal.text, borderWidth: 2 } },
        label: {
          show: size.cellLabels,
          fontSize: size.font,
          fontWeight: 600,
          lineHeight,
          color: pal.text,
          textBorderColor: pal.halo,
          textBorderWidth: 3,
          formatter: (p: { data?: unknown }) => matrixLabel(p, size.rejectText),
          rich: {
            // Colour and outline come from the cell's label (light or dark by cell colour).
            v: { fontSize: size.font, fontWeight: 600, lineHeight },
            r: {
              lineHeight,
              color: pal.reject,
              fontSize: size.font,
              fontWeight: 700,
              textBorderColor: pal.halo,
              textBorderWidth: 3,
            },
          },
        },
        data: cells,
      },
    ],
    title: [
      {
        id: MATRIX_IDS.summary,
        right: 12,
        top: 8,
        text:
          n === 0
            ? 'no windows yet'
            : `${formatBits(bitRate(total, n))} · ${formatPercent(share)} REJECT` +
              (size.names ? '' : ' · row → column'),
        textStyle: { color: pal.textMuted, fontSize: 14, fontWeight: 600 },
      },
      {
        id: MATRIX_IDS.empty,
        left: 'center',
        top: 'middle',
        show: cells.length === 0,
        text: n === 0 ? 'Waiting for the first capture window…' : 'No cross-region traffic',
        textStyle: { color: pal.textMuted, fontSize: 18, fontWeight: 600 },
      },
    ],
  };
  return option as EChartsCoreOption;
}

/** Red border of a cell with REJECTs: thin and translucent for a trickle, thick from 1 % (as the map's lines). */
function rejectBorder(
  pal: MatrixPalette,
  p: { acceptBytes: number; rejectBytes: number },
): { borderColor: string; borderWidth: number } {
  const total = p.acceptBytes + p.rejectBytes;
  const loud = total === 0 || p.rejectBytes / total >= LOUD_REJECT_SHARE;
  return loud
    ? { borderColor: pal.reject, borderWidth: 3 }
    : { borderColor: withAlpha(pal.reject, 0.6), borderWidth: 1.5 };
}

/** `#rrggbb` with an alpha, as rgba(); other colour strings are returned as they are. */
function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Where `rate` sits on the colour ramp, 0 (first piece) to 1 (last). */
function pieceShare(pieces: Array<{ gte?: number; lt?: number }>, rate: number): number {
  const i = pieces.findIndex(
    (p) => (p.gte === undefined || rate >= p.gte) && (p.lt === undefined || rate < p.lt),
  );
  return pieces.length > 1 ? Math.max(0, i) / (pieces.length - 1) : 0;
}

/** Text that reads on the cell: the light theme's ramp darkens, so its upper half gets light text. */
function cellText(
  pal: MatrixPalette,
  theme: ThemeName,
  share: number,
): { color: string; textBorderColor: string } {
  const light = theme === 'dark' || share > 0.5;
  const darkInk = palette('light').text;
  const lightInk = palette('dark').text;
  return light
    ? { color: lightInk, textBorderColor: theme === 'dark' ? pal.halo : darkInk }
    : { color: darkInk, textBorderColor: pal.halo };
}

/** Cell text: the rate, and under it the REJECT share in the reject style when there is any. */
export function matrixLabel(p: { data?: unknown }, rejectText: RejectText = 'below'): string {
  const d = p.data as MatrixCellDatum | undefined;
  if (!d) return '';
  const rate = formatCount(d.value[2]);
  if (!(d.rejectBytes > 0 || d.rejectPackets > 0) || rejectText === 'none') return `{v|${rate}}`;
  const share = d.bytes > 0 ? d.rejectBytes / d.bytes : 0;
  const sep = rejectText === 'below' ? '\n' : ' ';
  return `{v|${rate}}${sep}{r|✕${rejectText === 'below' ? ' ' : ''}${formatPercent(share)}}`;
}

interface TipParams {
  data?: unknown;
}

/** Tooltip HTML of a cell (escaped, as the flow map's line tooltip). */
export function matrixTooltip(
  params: TipParams | TipParams[],
  pal: Pick<MatrixPalette, 'accept' | 'reject'>,
): string {
  const p = Array.isArray(params) ? params[0] : params;
  if (!p || typeof p.data !== 'object' || p.data === null) return '';
  return pairTooltip(p.data as MatrixCellDatum, pal);
}
