// Theme colour tokens shared by every option builder and the registered ECharts themes. Pure data.

export type ThemeName = 'dark' | 'light';

export interface Palette {
  accept: string;
  reject: string;
  /** Translucent fills for stacked areas. */
  acceptFill: string;
  rejectFill: string;
  /** Primary text, secondary text. */
  text: string;
  textMuted: string;
  /** Split lines and axis lines. */
  grid: string;
  axis: string;
  /** Panel background the charts sit on (charts themselves are transparent). */
  panel: string;
  tooltipBg: string;
  tooltipBorder: string;
  /** Neutral accent (selection, links), warning (stale, SKIPDATA). */
  accent: string;
  warn: string;
  /** Categorical colours for series that are neither ACCEPT nor REJECT (protocols, regions). */
  series: string[];
  fontFamily: string;
  monoFamily: string;
}

const fontFamily =
  'Inter, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif';
const monoFamily =
  '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace';

export const PALETTES: Record<ThemeName, Palette> = {
  dark: {
    accept: '#1fd1a0',
    reject: '#ff5d4f',
    acceptFill: 'rgba(31, 209, 160, 0.28)',
    rejectFill: 'rgba(255, 93, 79, 0.40)',
    text: '#e6edf5',
    textMuted: '#8d9bb0',
    grid: '#1b2430',
    axis: '#334155',
    panel: '#0d1117',
    tooltipBg: 'rgba(13, 17, 23, 0.96)',
    tooltipBorder: '#2f3b4d',
    accent: '#4da3ff',
    warn: '#ffb224',
    series: [
      '#4da3ff',
      '#b48cff',
      '#ffcc4d',
      '#4fd6e8',
      '#ff8ab8',
      '#9be15d',
      '#ff9f43',
      '#a0aec0',
    ],
    fontFamily,
    monoFamily,
  },
  light: {
    accept: '#0c9c75',
    reject: '#d9352a',
    acceptFill: 'rgba(12, 156, 117, 0.22)',
    rejectFill: 'rgba(217, 53, 42, 0.30)',
    text: '#111827',
    textMuted: '#556070',
    grid: '#e5e9ef',
    axis: '#a3adba',
    panel: '#ffffff',
    tooltipBg: 'rgba(255, 255, 255, 0.98)',
    tooltipBorder: '#cfd6df',
    accent: '#1d6fd6',
    warn: '#b7791f',
    series: [
      '#1d6fd6',
      '#7c4dff',
      '#c99400',
      '#0e9bb0',
      '#d6407f',
      '#4d9a1f',
      '#e07b00',
      '#6b7785',
    ],
    fontFamily,
    monoFamily,
  },
};

/** The colour tokens of a theme, for option builders and CSS-free callers. */
export function palette(theme: ThemeName): Palette {
  return PALETTES[theme];
}

/** The registered ECharts theme name of an app theme. */
export function echartsTheme(theme: ThemeName): string {
  return `flowdeck-${theme}`;
}
