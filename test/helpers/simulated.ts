// What the built-in simulator writes, parsed as the ingest parses it: per capture window (1 minute
// apart from `from`) and log stream of the catalog, its records. Shared by store tests and benches.
import { createLineParser } from '../../shared/parse/index.ts';
import { streamIdOf, type FlowRecord } from '../../shared/record.ts';
import type { Catalog } from '../../server/catalog/catalog.ts';
import { buildTrafficModel } from '../../server/ingest/traffic-model.ts';

export interface SimulatedBatch {
  topicId: string;
  streamId: string;
  records: FlowRecord[];
}

/** Batches in window order, then model order; a stream with no records in a window has an empty one. */
export function simulatedBatches(
  catalog: Catalog,
  from: number,
  windows: number,
  seed: number,
): SimulatedBatch[] {
  const models = buildTrafficModel(catalog, { seed, accountId: '1300428518' });
  const out: SimulatedBatch[] = [];
  for (let w = 0; w < windows; w++) {
    for (const m of models) {
      const parser = createLineParser('auto');
      const records: FlowRecord[] = [];
      let n = 0;
      for (const line of m.lines(from + w * 60_000)) {
        const r = parser.parse(line, ++n);
        if (r.kind === 'record') records.push(r.record);
      }
      out.push({
        topicId: m.topicId,
        streamId: records[0] ? streamIdOf(records[0]) : m.streamId,
        records,
      });
    }
  }
  return out;
}
