// The one place the app registers ECharts parts (only those used, through `echarts/core`) and its two
// themes. Every option builder takes its colours from `palette(theme)` so all charts agree. The
// time charts' parts are here; the CCN map's and matrix's (geo, lines, heatmap, visual map) are in
// echarts-map.ts, a chunk of their own that only a CCN topic's dashboard loads. The two time charts
// do not use ECharts (time-chart.ts): a page without other charts never loads this module.
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

import { PALETTES, echartsTheme, type Palette, type ThemeName } from './palette.ts';

export type { ECElementEvent, EChartsCoreOption } from 'echarts/core';
export { echartsTheme, palette, type Palette, type ThemeName } from './palette.ts';

function axisTheme(p: Palette) {
  return {
    axisLine: { show: true, lineStyle: { color: p.axis } },
    axisTick: { show: false, lineStyle: { color: p.axis } },
    axisLabel: { color: p.textMuted, fontSize: 11 },
    splitLine: { show: true, lineStyle: { color: p.grid } },
    nameTextStyle: { color: p.textMuted },
  };
}

function buildTheme(theme: ThemeName) {
  const p = PALETTES[theme];
  return {
    darkMode: theme === 'dark',
    color: [p.accept, p.reject, ...p.series],
    backgroundColor: 'transparent',
    textStyle: { color: p.text, fontFamily: p.fontFamily },
    title: { textStyle: { color: p.text }, subtextStyle: { color: p.textMuted } },
    legend: { textStyle: { color: p.textMuted }, inactiveColor: p.axis },
    tooltip: {
      backgroundColor: p.tooltipBg,
      borderColor: p.tooltipBorder,
      textStyle: { color: p.text, fontSize: 12 },
      extraCssText: 'box-shadow: 0 6px 24px rgba(0,0,0,0.35); border-radius: 6px;',
    },
    axisPointer: {
      lineStyle: { color: p.axis },
      label: { backgroundColor: p.axis, color: p.text },
    },
    categoryAxis: { ...axisTheme(p), splitLine: { show: false } },
    valueAxis: { ...axisTheme(p), axisLine: { show: false } },
    timeAxis: { ...axisTheme(p), splitLine: { show: false } },
    logAxis: axisTheme(p),
    visualMap: { textStyle: { color: p.textMuted } },
    dataZoom: { textStyle: { color: p.textMuted }, borderColor: p.axis },
    geo: {
      itemStyle: { areaColor: theme === 'dark' ? '#141b24' : '#e8edf3', borderColor: p.axis },
      label: { color: p.textMuted },
    },
    line: { symbol: 'none', smooth: false },
  };
}

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
