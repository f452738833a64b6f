// The CCN map and matrix, imported on demand (ChartGrid): the map's ECharts parts and the world's land
// masses are a chunk of their own that only a CCN topic's dashboard downloads.
export { default as FlowMap } from './FlowMap.svelte';
export { default as RegionMatrix } from './RegionMatrix.svelte';
