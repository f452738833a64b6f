// The ECharts parts of the CCN flow map, registered when a CCN topic's dashboard first loads them
// (a chunk of its own, with the world's land masses): an ENI or NAT dashboard never downloads them.
// The region matrix beside it is an HTML table and needs none.
import { LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import './echarts.ts';

use([LinesChart, ScatterChart, GeoComponent, GraphicComponent, LabelLayout]);
