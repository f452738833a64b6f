// Parser throughput: eni and ccn lines per second on one core, on generated realistic lines.
import { pathToFileURL } from 'node:url';
import { createLineParser } from '../shared/parse/index.ts';
import type { FormatSpec } from '../shared/parse/index.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const DISTINCT_LINES = 300_000;
const RUN_MS = 3_000;

/** Deterministic PRNG (mulberry32), so every run parses the same lines. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Gen = ReturnType<typeof makeGen>;

function makeGen(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const ipv4 = () =>
    r() < 0.6
      ? `10.${int(256)}.${int(256)}.${int(256)}`
      : `${1 + int(222)}.${int(256)}.${int(256)}.${int(256)}`;
  const ipv6 = () => `2402:4e00:${hex(4)}:${int(0xffff).toString(16)}::${int(0xffff).toString(16)}`;
  const addr = () => (r() < 0.05 ? ipv6() : ipv4());
  return { r, int, pick, hex, addr };
}

const PORTS = [22, 53, 80, 443, 3306, 6379, 8080, 9000];
const REGIONS = [
  'ap-guangzhou',
  'ap-shanghai',
  'ap-beijing',
  'ap-singapore',
  'na-siliconvalley',
  'eu-frankfurt',
];

function eniLine(g: Gen, eni: string, t0: number): string {
  if (g.r() < 0.02) return `2 1300000123 ${eni} - - - - - - - ${t0} ${t0 + 60} - NODATA`;
  const proto = g.r() < 0.05 ? 1 : g.r() < 0.8 ? 6 : 17;
  const sport = proto === 1 ? 0 : 1024 + g.int(64_000);
  const dport = proto === 1 ? 2048 : g.pick(PORTS);
  const packets = 1 + g.int(5_000);
  const bytes = packets * (40 + g.int(1_400));
  const start = t0 + g.int(30);
  const action = g.r() < 0.9 ? 'ACCEPT' : 'REJECT';
  const version = g.r() < 0.9 ? '2' : 'V1';
  return `${version} 1300000123 ${eni} ${g.addr()} ${g.addr()} ${sport} ${dport} ${proto} ${packets} ${bytes} ${start} ${start + 1 + g.int(59)} ${action} OK`;
}

function ccnLine(g: Gen, ccn: string, t0: number): string {
  const src = g.pick(REGIONS);
  const dst = g.pick(REGIONS);
  if (g.r() < 0.02)
    return `- ${dst} - ${t0} - 2 -1 ${ccn} - ${src} -1 - ${src} - ${t0 + 60} NODATA`;
  const proto = g.r() < 0.8 ? 6 : 17;
  const packets = 1 + g.int(5_000);
  const bytes = packets * (40 + g.int(1_400));
  const start = t0 + g.int(30);
  const action = g.r() < 0.95 ? 'ACCEPT' : 'REJECT';
  return `${g.addr()} ${dst} ${g.pick(PORTS)} ${start} ${g.addr()} 2 ${packets} ${ccn} ${proto} ${src} ${bytes} ${action} ${src} ${1024 + g.int(64_000)} ${start + 1 + g.int(59)} OK`;
}

/**
 * `count` distinct lines of a format: a few hundred interfaces (or CCN instances) over many
 * minutes, `perMinute` lines a minute from `t0` (epoch seconds) on.
 */
export function generateLines(
  format: 'eni' | 'ccn',
  count: number,
  seed = 1,
  { t0 = 1_700_000_000, perMinute = 1_000 }: { t0?: number; perMinute?: number } = {},
): string[] {
  const g = makeGen(seed);
  const ids = Array.from({ length: 300 }, () =>
    format === 'eni' ? `eni-${g.hex(8)}` : `ccn-${g.hex(8)}`,
  );
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = t0 + Math.floor(i / perMinute) * 60;
    lines.push(format === 'eni' ? eniLine(g, g.pick(ids), t) : ccnLine(g, g.pick(ids), t));
  }
  // As a file reader delivers them: slices of one flat text, not the template-literal ropes built above.
  return lines.join('\n').split('\n');
}

/** Best lines/s over repeated passes of `lines` during RUN_MS, after a warm-up pass. */
function measure(lines: readonly string[], spec: FormatSpec): number {
  let sink = 0;
  const pass = (): number => {
    const parser = createLineParser(spec);
    const t = performance.now();
    for (let i = 0; i < lines.length; i++) {
      const res = parser.parse(lines[i]!, i + 1);
      if (res.kind === 'record') sink += res.record.bytes ?? 0;
      else sink -= 1;
    }
    return performance.now() - t;
  };
  pass();
  pass();
  let best = Infinity;
  const until = performance.now() + RUN_MS;
  while (performance.now() < until) best = Math.min(best, pass());
  if (sink === 0.5) console.log(sink); // keeps the results alive
  return Math.round((lines.length / best) * 1_000);
}

export async function benchParse(): Promise<BenchResult[]> {
  const eni = generateLines('eni', DISTINCT_LINES, 1);
  const ccn = generateLines('ccn', DISTINCT_LINES, 2);
  return [
    {
      name: 'parse eni (auto)',
      value: measure(eni, 'auto'),
      unit: 'lines/s',
      target: '>= 1,000,000',
    },
    { name: 'parse eni (--format eni)', value: measure(eni, 'eni'), unit: 'lines/s' },
    { name: 'parse ccn (auto)', value: measure(ccn, 'auto'), unit: 'lines/s' },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchParse()) {
    console.log(`${r.name.padEnd(28)} ${r.value.toLocaleString('en-US').padStart(12)} ${r.unit}`);
  }
}
