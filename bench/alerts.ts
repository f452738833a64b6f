// What 100 alert rules cost on the ingest path: each committed record goes through every rule's
// query (in memory) and into its per-window measure. Peer in the same run: the parser alone over
// the same lines, the cheapest stage of the path (the whole path, with aggregation and the store,
// costs more, so the share against it is smaller than the one shown).
import { createMeasureSet } from '../server/alerts/measure.ts';
import type { Measure } from '../shared/alerts/rule.ts';
import { createLineParser } from '../shared/parse/index.ts';
import { parseQuery } from '../shared/query/index.ts';
import type { MatchRecord } from '../shared/query/match.ts';
import { parseAlone, simulatedLines } from './ingest.ts';
import type { BenchRow } from './table.ts';

const QUERIES = [
  '',
  'action:REJECT',
  'action:REJECT AND dstport:22',
  'dstport:443',
  'protocol:udp',
  'srcaddr:10.0.0.0/8 AND NOT action:ACCEPT',
  'dstport:3389 OR dstport:22',
  'bytes:>100000',
];
const MEASURES: Measure[] = [
  'bytes',
  'records',
  'reject_share_bytes',
  'packets',
  'distinct_dstports_per_src',
];

export async function benchAlerts(records = 400_000, rules = 100): Promise<BenchRow[]> {
  const lines = simulatedLines(records, Date.now() - 3_600_000);
  const parser = createLineParser('auto');
  const parsed: Array<{ w: number; r: MatchRecord }> = [];
  for (let i = 0; i < lines.length; i++) {
    const out = parser.parse(lines[i]!, i + 1);
    if (out.kind !== 'record') continue;
    const start = out.record.start ?? 0;
    parsed.push({
      w: Math.floor(start / 300) * 300_000,
      r: { ...out.record, topicId: 'topic-eni-prod', streamId: out.record.interfaceId ?? '' },
    });
  }
  const parseRate = parseAlone(lines);
  let best = Infinity;
  for (let pass = 0; pass < 2; pass++) {
    // 100 rules over 8 distinct queries (as ready-made and per-team rules repeat their queries).
    const set = createMeasureSet();
    for (let i = 0; i < rules; i++) {
      const text = QUERIES[i % QUERIES.length]!;
      const q = parseQuery(text);
      if (!q.ok) throw new Error(q.error.message);
      set.track({ measure: MEASURES[i % MEASURES.length]!, key: text, where: q.ast });
    }
    const t = performance.now();
    for (const { w, r } of parsed) set.add(w, r);
    best = Math.min(best, performance.now() - t);
  }
  const perRecordUs = (best * 1000) / parsed.length;
  const parseUs = 1e6 / parseRate;
  return [
    {
      name: `alert rules: ${rules} rules (${QUERIES.length} distinct queries), µs per record`,
      value: perRecordUs,
      unit: 'µs',
    },
    { name: 'parser alone (peer), µs per line', value: parseUs, unit: 'µs' },
    {
      name: `alert rules (${rules}) / parser alone`,
      value: (perRecordUs / parseUs) * 100,
      unit: '%',
      target: '<= 5% of the ingest path',
    },
  ];
}
