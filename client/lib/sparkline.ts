// SVG paths of a sparkline. Pure: points in, path strings out (viewBox 0 0 width height).

export interface SparkPaths {
  line: string;
  area: string;
}

/** Line and filled area through `points` ([x, y], x ascending), scaled to the box; y from 0 up. */
export function sparkPaths(
  points: ReadonlyArray<readonly [number, number]>,
  width: number,
  height: number,
): SparkPaths {
  if (points.length === 0) return { line: '', area: '' };
  const x0 = points[0]![0];
  const x1 = points.at(-1)![0];
  let yMax = 0;
  for (let i = 0; i < points.length; i++) yMax = Math.max(yMax, points[i]![1]);
  const sx = (x: number) => (x1 === x0 ? width : ((x - x0) / (x1 - x0)) * width);
  // Leave 1px for the stroke at the top and bottom.
  const sy = (y: number) => (yMax <= 0 ? height - 1 : height - 1 - (y / yMax) * (height - 2));
  // (Indexes, not destructuring: this runs once per live update, in code the engine has not
  // optimised, where each destructured pair allocates an iterator and its results.)
  const pts = points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`);
  const line = points.length === 1 ? `M0,${pts[0]!.split(',')[1]}L${pts[0]}` : `M${pts.join('L')}`;
  const first = points.length === 1 ? '0' : sx(x0).toFixed(1);
  const area = `${line}L${sx(x1).toFixed(1)},${height}L${first},${height}Z`;
  return { line, area };
}
