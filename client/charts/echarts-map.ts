// The ECharts parts of the CCN flow map and region matrix, registered when a CCN topic's dashboard
// first loads them (a chunk of its own, with the world's land masses): an ENI or NAT dashboard
// never downloads them.
import { HeatmapChart, LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent, VisualMapPiecewiseComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import './echarts.ts';

use([
  LinesChart,
  ScatterChart,
  HeatmapChart,
  GeoComponent,
  GraphicComponent,
  VisualMapPiecewiseComponent,
  LabelLayout,
]);
