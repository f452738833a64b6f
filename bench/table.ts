// One row of the `npm run bench` table.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The target the figure is held to, in words (e.g. ">= 1,000,000 lines/s"). */
  target?: string;
}

export function printTable(rows: BenchRow[]): void {
  const fmt = (v: number) =>
    v >= 100
      ? Math.round(v).toLocaleString('en-US')
      : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  const cells = rows.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, r.target ?? '']);
  const head = ['benchmark', 'result', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i === 1 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}
