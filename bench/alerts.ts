// What 100 alert rules add to the ingest path: each committed record goes through every distinct
// query of the rules (in memory) and into their per-window measures. Measured as the path sees it:
// lines parsed, then parsed and measured while each record is fresh; the difference is the rules'
// cost, beside the parser's own in the same run (the parser is the cheapest stage of the path;
// the whole path, with aggregation and the store, costs several times more per record).
import { createMeasureSet } from '../server/alerts/measure.ts';
import type { Measure } from '../shared/alerts/rule.ts';
import { createLineParser } from '../shared/parse/index.ts';
import { parseQuery } from '../shared/query/index.ts';
import type { MatchRecord } from '../shared/query/match.ts';
import { simulatedLines } from './ingest.ts';
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
  // 100 rules over 8 distinct queries (as ready-made and per-team rules repeat their queries).
  const set = createMeasureSet();
  for (let i = 0; i < rules; i++) {
    const text = QUERIES[i % QUERIES.length]!;
    const q = parseQuery(text);
    if (!q.ok) throw new Error(q.error.message);
    set.track({ measure: MEASURES[i % MEASURES.length]!, key: text, where: q.ast });
  }
  // Each line parsed, then (second loop) also measured by every rule while the record is fresh,
  // as on the ingest path; the difference is what the rules add. Best of three passes each.
  const pass = (withRules: boolean) => {
    let best = Infinity;
    for (let p = 0; p < 3; p++) {
      const parser = createLineParser('auto');
      const t = performance.now();
      for (let i = 0; i < lines.length; i++) {
        const out = parser.parse(lines[i]!, i + 1);
        if (!withRules || out.kind !== 'record') continue;
        const r = out.record as MatchRecord;
        r.topicId = 'topic-eni-prod';
        r.streamId = r.interfaceId ?? '';
        set.add(Math.floor((r.start ?? 0) / 300) * 300_000, r);
      }
      best = Math.min(best, performance.now() - t);
    }
    return (best * 1000) / lines.length;
  };
  const parseUs = pass(false);
  const bothUs = pass(true);
  const rulesUs = Math.max(0, bothUs - parseUs);
  return [
    {
      name: `alert rules: ${rules} rules (${QUERIES.length} distinct queries), µs per record`,
      value: rulesUs,
      unit: 'µs',
    },
    { name: 'parser alone (peer, same run), µs per line', value: parseUs, unit: 'µs' },
    {
      name: `alert rules (${rules}) / parser alone`,
      value: (rulesUs / parseUs) * 100,
      unit: '%',
      target: '<= 5% of the ingest path',
    },
  ];
}
