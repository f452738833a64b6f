// The worker that draws the CCN flow maps' lines and regions (worker-chart.ts): an ECharts instance
// per map, on the canvas the page handed over, with the map's parts, the app's themes and the world's land
// (the lines project on its geo). The page posts options, sizes, its theme and its pointer; this
// answers with ECharts' own events on the chart's elements. What is drawn here is presented
// without the page's main thread.
import { LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent } from 'echarts/components';
import { init, registerTheme, setPlatformAPI, use, type ECharts } from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer } from 'echarts/renderers';
import { ensureWorldMap } from '../lib/world-map.ts';
import { buildTheme } from './echarts-theme.ts';
import { MILLER } from './flowmap-option.ts';
import { echartsTheme } from './palette.ts';
import type { ChartEventParams, FromChartWorker, ToChartWorker } from './worker-chart.ts';

// A worker has no document: text is measured on a canvas of its own.
setPlatformAPI({
  createCanvas: () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement,
});
use([LinesChart, ScatterChart, GeoComponent, GraphicComponent, LabelLayout, CanvasRenderer]);
for (const theme of ['dark', 'light'] as const)
  registerTheme(echartsTheme(theme), buildTheme(theme));
ensureWorldMap();

/** The page's charts drawn here, by their id. */
const charts = new Map<number, ECharts>();
const post = (m: FromChartWorker) => postMessage(m);

/** What the page reads of an event's params (the rest holds the chart's own objects). */
function paramsOf(p: Record<string, unknown>): ChartEventParams {
  const { componentType, seriesId, seriesType, seriesIndex, dataIndex, name, data } = p;
  return {
    componentType: componentType as string,
    seriesId: seriesId as string,
    seriesType: seriesType as string,
    seriesIndex: seriesIndex as number,
    dataIndex: dataIndex as number,
    name: name as string,
    data,
  };
}

/** zrender's pointer handling, given the page's pointer in the chart's pixels. */
interface ZrHandler {
  dispatch(type: string, event: Record<string, unknown>): void;
}

/** The map's projection is functions, which a post leaves out (as `{}`): this is where it is. */
function withProjection(option: Record<string, unknown>): Record<string, unknown> {
  const geo = option.geo as Record<string, unknown> | undefined;
  if (!geo || typeof geo !== 'object' || Array.isArray(geo) || !('projection' in geo))
    return option;
  return { ...option, geo: { ...geo, projection: MILLER } };
}

function handle(m: ToChartWorker): void {
  const { id } = m;
  if (m.kind === 'init') {
    const chart = init(m.canvas as unknown as HTMLElement, m.theme, {
      renderer: 'canvas',
      devicePixelRatio: m.dpr,
      width: m.width,
      height: m.height,
    });
    charts.set(id, chart);
    for (const type of ['mouseover', 'mouseout', 'click'] as const)
      chart.on(type, (p) =>
        post({
          kind: 'event',
          id,
          type,
          params: paramsOf(p as unknown as Record<string, unknown>),
        }),
      );
    return;
  }
  const chart = charts.get(id);
  if (!chart) return;
  if (m.kind === 'option')
    chart.setOption(withProjection(m.option), {
      notMerge: false,
      lazyUpdate: false,
      ...(m.replaceMerge ? { replaceMerge: m.replaceMerge } : {}),
    });
  else if (m.kind === 'resize')
    chart.resize({ width: m.width, height: m.height, animation: { duration: 0 } });
  else if (m.kind === 'theme') chart.setTheme(m.theme);
  else if (m.kind === 'dispose') {
    chart.dispose();
    charts.delete(id);
  } else {
    const handler = (chart.getZr() as unknown as { handler: ZrHandler }).handler;
    const noop = () => {};
    handler.dispatch(m.type, {
      zrX: m.x,
      zrY: m.y,
      offsetX: m.x,
      offsetY: m.y,
      type: m.type,
      preventDefault: noop,
      stopPropagation: noop,
    });
  }
}

addEventListener('message', (e: MessageEvent<ToChartWorker>) => {
  try {
    handle(e.data);
  } catch (err) {
    // This chart failed (the page draws it from now on); the others go on here.
    charts.get(e.data.id)?.dispose();
    charts.delete(e.data.id);
    post({
      kind: 'error',
      id: e.data.id,
      message: err instanceof Error ? err.message : String(err),
    });
  }
});
