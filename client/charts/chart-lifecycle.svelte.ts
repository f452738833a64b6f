// The whole ECharts lifecycle of one chart element, as a Svelte attachment: init with theme,
// ResizeObserver, merging setOption with stable series ids, theme switch, click events, dispose.
// The instance lives in this closure only (never in $state).
import type { Attachment } from 'svelte/attachments';
import { untrack } from 'svelte';
import { init, type ECElementEvent, type EChartsCoreOption, type EChartsType } from 'echarts/core';
import { hasData, seriesKey } from './chart-data.ts';
import { echartsTheme, type ThemeName } from './echarts.ts';

export interface ChartParams {
  option: EChartsCoreOption;
  theme: ThemeName;
  onchartclick?: ((params: ECElementEvent) => void) | undefined;
}

/**
 * Attach with `{@attach chartLifecycle(() => ({ option, theme, onchartclick }))}`. The getter is
 * read inside nested effects only, so option and theme changes update the chart in place instead
 * of re-creating it.
 */
export function chartLifecycle(get: () => ChartParams): Attachment<HTMLElement> {
  return (el) => {
    let theme = untrack(get).theme;
    const chart: EChartsType = init(el, echartsTheme(theme), { renderer: 'canvas' });
    let currentKey: string | null = null;

    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!chart.isDisposed()) chart.resize({ animation: { duration: 0 } });
      });
    });
    observer.observe(el);

    $effect(() => {
      const { option, theme: next } = get();
      if (next !== theme) {
        theme = next;
        chart.setTheme(echartsTheme(next));
      }
      const key = seriesKey(option);
      const replace = currentKey !== null && key !== currentKey;
      chart.setOption(option, {
        notMerge: false,
        lazyUpdate: true,
        ...(replace ? { replaceMerge: ['series'] } : {}),
      });
      currentKey = key;
      if (hasData(option)) el.dataset.rendered = 'true';
    });

    $effect(() => {
      const handler = get().onchartclick;
      if (!handler) return;
      const listener = (params: unknown) => handler(params as ECElementEvent);
      chart.on('click', listener);
      return () => chart.off('click', listener);
    });

    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      chart.dispose();
    };
  };
}
