// Worker side: the flow-log catalog in the `catalog` table, one JSON document per entity. The
// disk shape carries a format version `v`; a document of a newer version than this flowdeck knows
// stops the open with a clear message, an older one is migrated here.
import type { DuckDBConnection } from '@duckdb/node-api';
import { isCaptureWindow } from '../../../shared/capture-window.ts';
import type { AlertDelivery, AlertEpisode, AlertSilence } from '../../../shared/alerts/episode.ts';
import {
  emptyEntities,
  type AlertRuleEntity,
  type CatalogEntities,
  type FlowLogEntity,
  type LogsetEntity,
  type TopicEntity,
} from '../../../shared/catalog.ts';
import { META_CATALOG } from './schema.ts';
import type { CatalogChange, TopicUsage } from '../types.ts';

export type { CatalogChange, TopicUsage };

type Kind =
  'logset' | 'topic' | 'flowlog' | 'alertrule' | 'alertepisode' | 'alertsilence' | 'alertdelivery';
const DOC_VERSION = 1;

/** The entities as stored, or null when the catalog was never written (a new data directory). */
export async function loadCatalog(con: DuckDBConnection): Promise<CatalogEntities | null> {
  const seeded = await con.runAndReadAll('SELECT value FROM meta WHERE key = ?', [META_CATALOG]);
  if (seeded.getRows().length === 0) return null;
  const out = emptyEntities();
  const rows = (
    await con.runAndReadAll('SELECT kind, id, doc FROM catalog ORDER BY kind, id')
  ).getRows();
  for (const [kind, id, doc] of rows) {
    const v = JSON.parse(String(doc)) as { v?: number } & Record<string, unknown>;
    if ((v.v ?? 1) > DOC_VERSION) {
      throw new Error(
        `catalog ${String(kind)} ${String(id)} has format ${v.v}, newer than this flowdeck (${DOC_VERSION})`,
      );
    }
    const { v: _v, ...entity } = v;
    if (kind === 'logset') out.logsets.push(entity as unknown as LogsetEntity);
    else if (kind === 'topic') out.topics.push(entity as unknown as TopicEntity);
    else if (kind === 'flowlog') out.flowLogs.push(migrateFlowLog(entity));
    else if (kind === 'alertrule') out.alertRules!.push(entity as unknown as AlertRuleEntity);
    else if (kind === 'alertepisode') out.alertEpisodes!.push(entity as unknown as AlertEpisode);
    else if (kind === 'alertsilence') out.alertSilences!.push(entity as unknown as AlertSilence);
    else if (kind === 'alertdelivery')
      out.alertDeliveries!.push(entity as unknown as AlertDelivery);
  }
  return out;
}

/** Fills what older documents lack. */
function migrateFlowLog(e: Record<string, unknown>): FlowLogEntity {
  const fl = e as unknown as FlowLogEntity;
  return {
    ...fl,
    vpcId: fl.vpcId ?? null,
    subnetId: fl.subnetId ?? null,
    regions: fl.regions ?? [],
    enabled: fl.enabled ?? true,
    simulated: fl.simulated ?? false,
    captureWindowSec: isCaptureWindow(fl.captureWindowSec) ? fl.captureWindowSec : 60,
    createdAt: fl.createdAt ?? 0,
  };
}

/** Applies `change` in the caller's transaction; returns how many rows of topic data went. */
export async function applyCatalogChange(
  con: DuckDBConnection,
  change: CatalogChange,
): Promise<{ records: number; windows: number; rejected: number }> {
  const put = async (kind: Kind, entity: { id: string }) => {
    await con.run('INSERT OR REPLACE INTO catalog VALUES (?, ?, ?)', [
      kind,
      entity.id,
      JSON.stringify({ v: DOC_VERSION, ...entity }),
    ]);
  };
  const del = async (kind: Kind, id: string) => {
    await con.run('DELETE FROM catalog WHERE kind = ? AND id = ?', [kind, id]);
  };
  for (const l of change.upsert?.logsets ?? []) await put('logset', l);
  for (const t of change.upsert?.topics ?? []) await put('topic', t);
  for (const f of change.upsert?.flowLogs ?? []) await put('flowlog', f);
  for (const r of change.upsert?.alertRules ?? []) await put('alertrule', r);
  for (const e of change.upsert?.alertEpisodes ?? []) await put('alertepisode', e);
  for (const e of change.upsert?.alertSilences ?? []) await put('alertsilence', e);
  for (const e of change.upsert?.alertDeliveries ?? []) await put('alertdelivery', e);
  for (const id of change.remove?.alertRules ?? []) await del('alertrule', id);
  for (const id of change.remove?.alertEpisodes ?? []) await del('alertepisode', id);
  for (const id of change.remove?.alertSilences ?? []) await del('alertsilence', id);
  for (const id of change.remove?.alertDeliveries ?? []) await del('alertdelivery', id);
  for (const id of change.remove?.flowLogs ?? []) await del('flowlog', id);
  for (const id of change.remove?.topics ?? []) await del('topic', id);
  for (const id of change.remove?.logsets ?? []) await del('logset', id);
  await con.run('INSERT OR REPLACE INTO meta VALUES (?, ?)', [META_CATALOG, '1']);
  const dropped = { records: 0, windows: 0, rejected: 0 };
  for (const topic of change.dropTopicData ?? []) {
    dropped.records += (await con.run('DELETE FROM records WHERE topic = ?', [topic])).rowsChanged;
    dropped.windows += (await con.run('DELETE FROM windows WHERE topic = ?', [topic])).rowsChanged;
    dropped.rejected += (
      await con.run('DELETE FROM quarantine WHERE topic = ?', [topic])
    ).rowsChanged;
    for (const t of ['rollup_dims', 'rollup_top', 'rollup_hours'])
      await con.run(`DELETE FROM ${t} WHERE topic = ?`, [topic]);
  }
  return dropped;
}

/** What deleting a topic would remove. */
export async function topicUsage(con: DuckDBConnection, topicId: string): Promise<TopicUsage> {
  const r = await con.runAndReadAll(
    `SELECT (SELECT count(*) FROM records WHERE topic = $1),
            (SELECT count(*) FROM windows WHERE topic = $1),
            (SELECT max(window_start) FROM records WHERE topic = $1)`,
    [topicId],
  );
  const [records, windows, newest] = r.getRows()[0]!;
  return {
    records: Number(records),
    windows: Number(windows),
    newest: newest === null ? null : Number(newest),
  };
}
