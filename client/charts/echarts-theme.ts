// The app's two ECharts themes, built from the palette (palette.ts): registered by echarts.ts on
// the page and by the flow map's worker (flowmap.worker.ts), so both draw alike.
import { PALETTES, type Palette, type ThemeName } from './palette.ts';

function axisTheme(p: Palette) {
  return {
    axisLine: { show: true, lineStyle: { color: p.axis } },
    axisTick: { show: false, lineStyle: { color: p.axis } },
    axisLabel: { color: p.textMuted, fontSize: 11 },
    splitLine: { show: true, lineStyle: { color: p.grid } },
    nameTextStyle: { color: p.textMuted },
  };
}

export function buildTheme(theme: ThemeName) {
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
