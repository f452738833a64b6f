// The one place the page registers ECharts parts (only those used, through `echarts/core`) and its
// two themes (echarts-theme.ts). Every option builder takes its colours from `palette(theme)` so
// all charts agree. The CCN map's parts (geo, lines) are in echarts-map.ts, a chunk of their own
// that only a CCN topic's dashboard loads, and in the map's worker (flowmap.worker.ts). The two
// time charts do not use ECharts (time-chart.ts): a page without other charts never loads this.
import { BarChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendPlainComponent,
  MarkAreaComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { init, registerTheme, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ChartEngine, ChartInstance } from './chart-lifecycle.svelte.ts';
import { chartPixelRatio } from './render-scale.ts';
import { buildTheme } from './echarts-theme.ts';
import { echartsTheme } from './palette.ts';

export type { ECElementEvent, EChartsCoreOption } from 'echarts/core';
export { echartsTheme, palette, type Palette, type ThemeName } from './palette.ts';

use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendPlainComponent,
  TitleComponent,
  MarkAreaComponent,
  AriaComponent,
  CanvasRenderer,
]);
registerTheme(echartsTheme('dark'), buildTheme('dark'));
registerTheme(echartsTheme('light'), buildTheme('light'));

/** ECharts as the chart lifecycle's engine (every chart but the two time charts). */
export const echartsEngine: ChartEngine = (el, theme) =>
  init(el, echartsTheme(theme), {
    renderer: 'canvas',
    devicePixelRatio: chartPixelRatio(),
  }) as unknown as ChartInstance;
