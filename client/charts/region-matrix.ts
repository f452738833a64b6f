// The CCN region matrix as drawn by RegionMatrix.svelte: source regions down, destination regions
// across, a cell per pair coloured by its bit rate on a decade scale, REJECTing cells marked by
// their REJECT share against the topic's thresholds (calm below the warning one).
// Pure, like every option builder: the component only lays it out as an HTML table.
import type { WindowAggregate } from '../../shared/events.ts';
import { formatBits, formatCount, formatPercent } from '../lib/format.ts';
import { bitRate, regionInfo, summarisePairs } from '../lib/regions.ts';
import {
  DEFAULT_THRESHOLDS,
  rejectLevel,
  type Level,
  type Thresholds,
} from '../../shared/thresholds.ts';
import { pairTip, rejectShare, type PairTip } from './flowmap-option.ts';
import type { ThemeName } from './palette.ts';

/** Low to high bit rate: dark to bright on the dark theme, light to dark on the light one. */
export function matrixRamp(theme: ThemeName): readonly string[] {
  return theme === 'dark'
    ? ['#163a5a', '#1a6496', '#2196c4', '#35c2c4', '#8fe08a', '#f2e85c']
    : ['#d6e8f6', '#a3cdec', '#64a9d8', '#2f7fbf', '#0f5ba0', '#08306b'];
}

export interface RegionMatrixOptions {
  theme: ThemeName;
  /** The matrix's size in px, to fit its labels to the cells (default 900 × 520). */
  width?: number;
  height?: number;
  /** Time the sums cover (s), when `windows` is a range's pseudo window (see the flow map). */
  seconds?: number;
  /** The topic's thresholds, by which a pair's REJECT share is coloured (default: the defaults). */
  thresholds?: Thresholds;
}

/** Where a cell's REJECT share goes: a second line, after the rate, or only the cell's outline. */
export type RejectText = 'below' | 'inline' | 'none';

/** Width of the colour scale on the right, px. */
const SCALE_W = 116;
/** The span selector and summary row above the table, px. */
const TOP = 34;

/** Label sizes that fit the estimated cells; the estimates err on the small side. */
export function matrixSizing(width: number, height: number, ids: readonly string[]) {
  const n = Math.max(1, ids.length);
  const infos = ids.map((id) => regionInfo(id));
  const longest = Math.max(4, ...infos.map((r) => r.short.length));
  const longestCode = Math.max(2, ...infos.map((r) => r.code.length));
  const names = height >= 380;
  const yLabelW = Math.min(120, longest * 7.5 + 10);
  const cellW = Math.max(0, width - SCALE_W - yLabelW - 16 - (names ? 22 : 0)) / n;
  const xLabel: 'short' | 'code' = cellW >= longest * 7.5 + 6 ? 'short' : 'code';
  const rotate = xLabel === 'short' || cellW >= longestCode * 8.5 + 4 ? 0 : 90;
  const xLabelH = rotate === 0 ? 20 : longestCode * 8.5 + 6;
  const cellH = Math.max(0, height - TOP - xLabelH - 8 - (names ? 20 : 0)) / n;
  const font = Math.max(10, Math.min(14, Math.floor(Math.min(cellH * 0.62, cellW / 5))));
  const rejectText: RejectText =
    cellH >= 2 * (font + 3) + 4 ? 'below' : cellW >= 11 * font * 0.62 + 6 ? 'inline' : 'none';
  return {
    names,
    yLabelW,
    xLabel,
    rotate,
    axisFont: cellH >= 22 && cellW >= 40 ? 13 : 11,
    cellLabels: cellW >= 38 && cellH >= 14,
    font,
    rejectText,
  };
}
export type MatrixSizing = ReturnType<typeof matrixSizing>;

/** A colour piece of the scale: the bit rates it covers, its label and colour. */
export interface RatePiece {
  gte?: number;
  lt?: number;
  label: string;
}
export interface ColourPiece extends RatePiece {
  color: string;
  /** Text that reads on it. */
  ink: 'light' | 'dark';
}

/** One region pair with traffic. */
export interface MatrixCell extends PairTip {
  /** Both actions' bytes over the windows. */
  bytes: number;
  /** Average bit rate over the time covered. */
  rate: number;
  /** Its colour piece (an index into `pieces`). */
  piece: number;
  /** The rate as the cell shows it ("444M"). */
  text: string;
  /** Its REJECT share ("0.2%"), when it has REJECTs. */
  reject: string | null;
  /**
   * Its REJECT share against the topic's thresholds, when it has REJECTs: 'ok' is marked quietly
   * (a trickle of REJECTs is normal traffic), 'warn' and 'alert' in their colours, outlined.
   */
  level: Level | null;
}

export interface MatrixRegion {
  id: string;
  /** "Guangzhou". */
  short: string;
  /** "GZ". */
  code: string;
  /** "South China (Guangzhou)", or "unknown region". */
  name: string;
}

export interface RegionMatrix {
  regions: MatrixRegion[];
  /** `rows[i][j]`: from regions[i] to regions[j]; null for a pair without traffic. */
  rows: Array<Array<MatrixCell | null>>;
  /** The colour scale, low to high. */
  pieces: ColourPiece[];
  /** "69.9 Mbps · 0.15% REJECT", or "no windows yet". */
  summary: string;
  /** What stands in for the cells when there are none. */
  empty: string | null;
  cells: number;
}

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
export function ratePieces(rates: number[]): RatePiece[] {
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
  const pieces: RatePiece[] = [{ lt: edges[0]!, label: `< ${formatCount(edges[0]!)}` }];
  for (let i = 0; i + 1 < edges.length; i++) {
    const a = edges[i]!;
    const b = edges[i + 1]!;
    pieces.push({ gte: a, lt: b, label: `${formatCount(a)}–${formatCount(b)}` });
  }
  pieces.push({ gte: edges.at(-1)!, label: `≥ ${formatCount(edges.at(-1)!)}` });
  return pieces;
}

const rgb = (hex: string): [number, number, number] => [
  parseInt(hex.slice(1, 3), 16),
  parseInt(hex.slice(3, 5), 16),
  parseInt(hex.slice(5, 7), 16),
];
const hex2 = (v: number) => Math.round(v).toString(16).padStart(2, '0');

/** The colour at `t` (0..1) along `ramp` (`#rrggbb` stops, evenly spaced), interpolated in RGB. */
export function rampColor(ramp: readonly string[], t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(x));
  if (ramp.length < 2) return ramp[0] ?? '#000000';
  const [a, b] = [rgb(ramp[i]!), rgb(ramp[i + 1]!)];
  const f = x - i;
  return `#${a.map((v, k) => hex2(v + (b[k]! - v) * f)).join('')}`;
}

/** Dark text on a light colour, light text on a dark one (WCAG relative luminance). */
export function inkOn(color: string): 'light' | 'dark' {
  const [r, g, b] = rgb(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 ? 'dark' : 'light';
}

/** The piece `rate` falls in. */
export function pieceOf(pieces: readonly RatePiece[], rate: number): number {
  const i = pieces.findIndex(
    (p) => (p.gte === undefined || rate >= p.gte) && (p.lt === undefined || rate < p.lt),
  );
  return Math.max(0, i);
}

/** The matrix of the region pairs summed over `windows`; every region of `regions` gets a row and a column. */
export function buildRegionMatrix(
  windows: readonly WindowAggregate[],
  regions: readonly string[],
  opts: RegionMatrixOptions,
): RegionMatrix {
  const sum = summarisePairs(windows, regions);
  const n = opts.seconds ?? sum.seconds;
  const ids = sum.regions;
  const index = new Map(ids.map((id, i) => [id, i]));
  const ramp = matrixRamp(opts.theme);
  const bands = ratePieces(sum.pairs.map((p) => bitRate(p.acceptBytes + p.rejectBytes, n)));
  const pieces: ColourPiece[] = bands.map((p, i) => {
    const color = rampColor(ramp, bands.length > 1 ? i / (bands.length - 1) : 0);
    return { ...p, color, ink: inkOn(color) };
  });

  const rows: Array<Array<MatrixCell | null>> = ids.map(() => ids.map(() => null));
  for (const p of sum.pairs) {
    const bytes = p.acceptBytes + p.rejectBytes;
    const rate = bitRate(bytes, n);
    const rejects = p.rejectBytes > 0 || p.rejectPackets > 0;
    const share = rejectShare(p);
    rows[index.get(p.src)!]![index.get(p.dst)!] = {
      ...pairTip(p, n, sum.windowMs),
      bytes,
      rate,
      piece: pieceOf(bands, rate),
      text: formatCount(rate),
      reject: rejects ? formatPercent(share) : null,
      level: rejects ? rejectLevel(share, opts.thresholds ?? DEFAULT_THRESHOLDS) : null,
    };
  }
  const total = sum.acceptBytes + sum.rejectBytes;
  const share = total > 0 ? sum.rejectBytes / total : 0;
  return {
    regions: ids.map((id) => {
      const r = regionInfo(id);
      return { id, short: r.short, code: r.code, name: r.name };
    }),
    rows,
    pieces,
    summary:
      n === 0
        ? 'no windows yet'
        : `${formatBits(bitRate(total, n))} · ${formatPercent(share)} REJECT`,
    empty:
      sum.pairs.length > 0
        ? null
        : n === 0
          ? 'Waiting for the first capture window…'
          : 'No cross-region traffic',
    cells: sum.pairs.length,
  };
}
