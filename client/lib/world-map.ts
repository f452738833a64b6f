// The world land masses for the CCN flow map: Natural Earth 1:110m land (world-atlas, 55 kB of
// TopoJSON bundled by Vite), turned into GeoJSON once and registered with ECharts as WORLD_MAP.
import { getMap, registerMap } from 'echarts/core';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import landTopology from 'world-atlas/land-110m.json';
import { WORLD_MAP } from '../charts/flowmap-option.ts';

/** Polygons lying wholly south of this latitude (Antarctica) are left out: no region is there. */
const SOUTH_LIMIT = -58;

/**
 * A ring that crosses the antimeridian (Eurasia with Chukotka, Fiji, Wrangel Island) jumps from
 * 180° to -180° and would be drawn as a band across the whole flat map: make its longitudes
 * continuous instead, then shift it by 360° so that most of it lies within -180..180.
 */
export function unwrapRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  let offset = 0;
  let prev: number | null = null;
  for (const [lon = 0, lat = 0] of ring) {
    if (prev !== null) {
      if (lon - prev > 180) offset -= 360;
      else if (prev - lon > 180) offset += 360;
    }
    prev = lon;
    out.push([lon + offset, lat]);
  }
  if (out.every((p, i) => p[0] === ring[i]![0])) return ring;
  const inside = (shift: number): number =>
    out.filter((p) => Math.abs((p[0] ?? 0) + shift) <= 180).length;
  const shift = [0, 360, -360].reduce((best, s) => (inside(s) > inside(best) ? s : best), 0);
  return shift === 0 ? out : out.map(([lon = 0, lat = 0]) => [lon + shift, lat]);
}

/** A FeatureCollection of one MultiPolygon feature named "land", Antarctica left out. */
export function buildWorldGeoJson(): FeatureCollection<MultiPolygon, { name: string }> {
  const topology = landTopology as unknown as Topology<{ land: GeometryCollection }>;
  const land = feature(topology, topology.objects.land);
  const polygons: Position[][][] = [];
  for (const f of land.features) {
    const g = f.geometry;
    if (g.type === 'Polygon') polygons.push((g as Polygon).coordinates);
    else if (g.type === 'MultiPolygon') polygons.push(...(g as MultiPolygon).coordinates);
  }
  const kept = polygons
    .filter((rings) => (rings[0] ?? []).some((p) => (p[1] ?? -90) > SOUTH_LIMIT))
    .map((rings) => rings.map(unwrapRing));
  const only: Feature<MultiPolygon, { name: string }> = {
    type: 'Feature',
    properties: { name: 'land' },
    geometry: { type: 'MultiPolygon', coordinates: kept },
  };
  return { type: 'FeatureCollection', features: [only] };
}

/**
 * Registers WORLD_MAP with ECharts unless it already is (the ECharts parts, graphic component and
 * label layout included, are registered in charts/echarts.ts). Call before the first flow-map option.
 */
export function ensureWorldMap(): void {
  if (getMap(WORLD_MAP)) return;
  // registerMap's declared GeoJSON type is its own; the shape is the standard one.
  registerMap(WORLD_MAP, buildWorldGeoJson() as unknown as Parameters<typeof registerMap>[1]);
}
