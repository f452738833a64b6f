// Flow-log management: create, change and delete logsets, topics and flow logs as the console
// does. Bodies are checked once at the edge by the zod schemas of shared/catalog-schema.ts; the
// rules that need the whole catalog are checked here. Every change is one store transaction and
// then one replacement of the live catalog (in that order, so nothing runs on an entity that is
// not stored; a delete is applied in memory first so that ingest stops writing to it). Changes are
// serialized.
import { randomBytes } from 'node:crypto';
import { defaultCaptureWindow, fitsTopicWindow, windowLabel } from '../../shared/capture-window.ts';
import {
  entitiesOf,
  logsetsOf,
  type CatalogEntities,
  type FlowLogInfo,
  type LogsetEntity,
  type LogsetInfo,
  type TopicEntity,
  type TopicInfo,
} from '../../shared/catalog.ts';
import {
  FLOW_LOG_IMMUTABLE,
  checkFlowLogCreate,
  fieldProblems,
  flowLogPatchSchema,
  LOGSET_IMMUTABLE,
  logsetCreateSchema,
  logsetPatchSchema,
  TOPIC_IMMUTABLE,
  topicCreateSchema,
  topicPatchSchema,
  type FieldProblem,
} from '../../shared/catalog-schema.ts';
import type { Clock } from '../clock.ts';
import type { CatalogChange, TopicUsage } from '../store/store.ts';
import { checkLogsets, type LiveCatalog } from './catalog.ts';
import { DEFAULT_LOGSET_ID } from './default-catalog.ts';

/** A refused change: `status` and `code` go to the API answer as they are. */
export class CatalogRefusal extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly details: Record<string, unknown> | undefined = undefined,
  ) {
    super(message);
    this.name = 'CatalogRefusal';
  }
}

/** A 400 naming the problem of each field. */
export const invalid = (fields: FieldProblem[]) =>
  new CatalogRefusal(
    400,
    'invalid',
    fields.length === 1
      ? `${fields[0]!.path ? `${fields[0]!.path}: ` : ''}${fields[0]!.message}`
      : `${fields.length} problems: ${fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ')}`,
    fields,
  );
export const notFound = (what: string, id: string) =>
  new CatalogRefusal(404, 'not_found', `no ${what} ${JSON.stringify(id.slice(0, 80))}`);

/** What deleting a topic removes. */
export interface TopicDeletion extends TopicUsage {
  flowLogs: number;
  rejectedLines: number;
}

export interface CatalogStoreDeps {
  saveCatalog(change: CatalogChange): Promise<unknown>;
  topicUsage(topicId: string): Promise<TopicUsage>;
}

export interface ManageDeps {
  catalog: LiveCatalog;
  store: CatalogStoreDeps;
  clock: Clock;
  /** Rejected lines kept of a topic (quarantine), for the deletion summary. */
  rejectedLines?: (topicId: string) => Promise<number>;
}

/** `body` through a zod schema; a refusal naming each field's problem when it does not fit. */
export function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: readonly unknown[] } };
  },
  body: unknown,
): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw invalid(fieldProblems(r.error.issues as never));
  return r.data;
}

/** Runs the tasks given to it one at a time, in call order (a failed one does not stop the next). */
export function serialQueue() {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = chain.then(task);
    chain = run.catch(() => {});
    return run;
  };
}

export const randomId = (prefix: string, n = 8): string => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}${s}`;
};

/** `prod VPC ENI logs` -> `prod-vpc-eni-logs`, at most 24 characters. */
const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '') || 'topic';

/** Fields of `patch` that would change an immutable field of `current`. */
function changedImmutables(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
  immutable: readonly string[],
): string[] {
  return immutable.filter(
    (k) =>
      k in patch &&
      patch[k] !== undefined &&
      JSON.stringify(patch[k]) !== JSON.stringify(current[k]),
  );
}

export function createCatalogManager(deps: ManageDeps) {
  const { catalog, store, clock } = deps;
  const serial = serialQueue();

  const entities = (): CatalogEntities => entitiesOf(catalog.logsets);

  /** Checks the whole new catalog (a refusal here is a bug of the rules above, or a race). */
  function checked(next: CatalogEntities): LogsetInfo[] {
    const logsets = logsetsOf(next);
    const problems = checkLogsets(logsets);
    if (problems.length > 0) throw new CatalogRefusal(409, 'conflict', problems.join('; '));
    return logsets;
  }

  /** Stores `change`, then makes `next` current. */
  async function commit(next: CatalogEntities, change: CatalogChange): Promise<void> {
    const logsets = checked(next);
    await store.saveCatalog(change);
    catalog.replace(logsets);
  }

  // -------------------------------------------------------------------------------------------
  // Logsets

  function createLogset(body: unknown): Promise<LogsetInfo> {
    const input = parse(logsetCreateSchema, body);
    return serial(async () => {
      const e = entities();
      if (e.logsets.some((l) => l.name === input.name))
        throw new CatalogRefusal(
          409,
          'conflict',
          `a logset named ${JSON.stringify(input.name)} exists`,
          [{ path: 'name', message: 'a logset with this name exists' }],
        );
      const logset: LogsetEntity = {
        id: randomId('ls-'),
        name: input.name,
        region: input.region ?? e.logsets[0]?.region ?? 'ap-guangzhou',
        createdAt: clock.now(),
      };
      await commit({ ...e, logsets: [...e.logsets, logset] }, { upsert: { logsets: [logset] } });
      return catalog.logset(logset.id)!;
    });
  }

  function updateLogset(id: string, body: unknown): Promise<LogsetInfo> {
    const patch = parse(logsetPatchSchema, body);
    return serial(async () => {
      const e = entities();
      const current = e.logsets.find((l) => l.id === id);
      if (!current) throw notFound('logset', id);
      const fixed = changedImmutables(current, patch, LOGSET_IMMUTABLE);
      if (fixed.length > 0)
        throw new CatalogRefusal(409, 'immutable', `a logset's ${fixed.join(', ')} cannot change`);
      if (patch.name === undefined || patch.name === current.name) return catalog.logset(id)!;
      if (e.logsets.some((l) => l.id !== id && l.name === patch.name))
        throw new CatalogRefusal(
          409,
          'conflict',
          `a logset named ${JSON.stringify(patch.name)} exists`,
          [{ path: 'name', message: 'a logset with this name exists' }],
        );
      const next = { ...current, name: patch.name };
      await commit(
        { ...e, logsets: e.logsets.map((l) => (l.id === id ? next : l)) },
        { upsert: { logsets: [next] } },
      );
      return catalog.logset(id)!;
    });
  }

  function deleteLogset(id: string): Promise<void> {
    return serial(async () => {
      const e = entities();
      if (!e.logsets.some((l) => l.id === id)) throw notFound('logset', id);
      const topics = e.topics.filter((t) => t.logsetId === id);
      if (topics.length > 0)
        throw new CatalogRefusal(
          409,
          'not_empty',
          `the logset holds ${topics.length} topic${topics.length === 1 ? '' : 's'} (${topics.map((t) => t.name).join(', ')}): delete them first`,
        );
      await commit(
        { ...e, logsets: e.logsets.filter((l) => l.id !== id) },
        { remove: { logsets: [id] } },
      );
    });
  }

  // -------------------------------------------------------------------------------------------
  // Topics

  function newTopic(
    e: CatalogEntities,
    input: {
      name: string;
      logsetId: string;
      range: TopicEntity['range'];
      windowSec?: TopicEntity['windowSec'];
      retention?: TopicEntity['retention'];
      thresholds?: TopicEntity['thresholds'];
    },
  ): TopicEntity {
    const taken = new Set(e.topics.map((t) => t.id));
    let id = `topic-${slug(input.name)}`;
    while (taken.has(id)) id = randomId(`topic-${slug(input.name)}-`, 4);
    return {
      id,
      name: input.name,
      logsetId: input.logsetId,
      range: input.range,
      windowSec: input.windowSec ?? defaultCaptureWindow(input.range),
      createdAt: clock.now(),
      ...(input.retention ? { retention: input.retention } : {}),
      ...(input.thresholds ? { thresholds: input.thresholds } : {}),
    };
  }

  function createTopic(body: unknown): Promise<TopicInfo> {
    const input = parse(topicCreateSchema, body);
    return serial(async () => {
      const e = entities();
      if (!e.logsets.some((l) => l.id === input.logsetId))
        throw new CatalogRefusal(404, 'not_found', `no logset ${JSON.stringify(input.logsetId)}`, [
          { path: 'logsetId', message: 'no such logset' },
        ]);
      if (e.topics.some((t) => t.logsetId === input.logsetId && t.name === input.name))
        throw new CatalogRefusal(
          409,
          'conflict',
          `the logset has a topic named ${JSON.stringify(input.name)}`,
          [{ path: 'name', message: 'the logset has a topic with this name' }],
        );
      const topic = newTopic(e, input);
      await commit({ ...e, topics: [...e.topics, topic] }, { upsert: { topics: [topic] } });
      return catalog.topic(topic.id)!;
    });
  }

  function updateTopic(id: string, body: unknown): Promise<TopicInfo> {
    const patch = parse(topicPatchSchema, body);
    return serial(async () => {
      const e = entities();
      const current = e.topics.find((t) => t.id === id);
      if (!current) throw notFound('topic', id);
      const fixed = changedImmutables(current, patch, TOPIC_IMMUTABLE);
      if (fixed.length > 0)
        throw new CatalogRefusal(
          409,
          'immutable',
          `a topic's ${fixed.join(', ')} cannot change: create a new topic instead`,
        );
      const next: TopicEntity = { ...current };
      if (patch.name !== undefined) {
        if (
          e.topics.some(
            (t) => t.id !== id && t.logsetId === current.logsetId && t.name === patch.name,
          )
        )
          throw new CatalogRefusal(
            409,
            'conflict',
            `the logset has a topic named ${JSON.stringify(patch.name)}`,
            [{ path: 'name', message: 'the logset has a topic with this name' }],
          );
        next.name = patch.name;
      }
      if (patch.retention === null) delete next.retention;
      else if (patch.retention !== undefined) next.retention = patch.retention;
      if (patch.thresholds === null) delete next.thresholds;
      else if (patch.thresholds !== undefined) next.thresholds = patch.thresholds;
      await commit(
        { ...e, topics: e.topics.map((t) => (t.id === id ? next : t)) },
        { upsert: { topics: [next] } },
      );
      return catalog.topic(id)!;
    });
  }

  /** What deleting the topic removes. */
  async function topicDeletion(id: string): Promise<TopicDeletion> {
    const topic = catalog.topic(id);
    if (!topic) throw notFound('topic', id);
    const [usage, rejectedLines] = await Promise.all([
      store.topicUsage(id),
      deps.rejectedLines?.(id) ?? Promise.resolve(0),
    ]);
    return { ...usage, flowLogs: topic.flowLogs.length, rejectedLines };
  }

  /**
   * Deletes a topic with its flow logs and every record, window and rejected line it holds. A
   * topic that holds data is deleted only with `confirm` (409 has_data otherwise, with what would go).
   */
  function deleteTopic(id: string, confirm: boolean): Promise<TopicDeletion> {
    return serial(async () => {
      const usage = await topicDeletion(id);
      const hasData = usage.records + usage.windows + usage.rejectedLines > 0;
      if (hasData && !confirm) {
        throw new CatalogRefusal(
          409,
          'has_data',
          `the topic holds ${usage.records} records, ${usage.windows} windows and ${usage.rejectedLines} rejected lines; ` +
            `deleting it removes them and its ${usage.flowLogs} flow log${usage.flowLogs === 1 ? '' : 's'} (repeat with confirm=true)`,
          [],
          { ...usage },
        );
      }
      const e = entities();
      const before = catalog.logsets;
      const flowLogs = e.flowLogs.filter((f) => f.topicId === id).map((f) => f.id);
      const next = {
        logsets: e.logsets,
        topics: e.topics.filter((t) => t.id !== id),
        flowLogs: e.flowLogs.filter((f) => f.topicId !== id),
      };
      // In memory first: ingest refuses the topic from now on; then its rows go.
      catalog.replace(checked(next));
      try {
        await store.saveCatalog({
          remove: { topics: [id], flowLogs },
          dropTopicData: [id],
        });
      } catch (err) {
        catalog.replace(before);
        throw err;
      }
      return usage;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Flow logs

  function createFlowLog(body: unknown): Promise<FlowLogInfo> {
    const checked = checkFlowLogCreate(body);
    if (!checked.ok) throw invalid(checked.problems);
    const input = checked.data;
    return serial(async () => {
      const e = entities();
      const now = clock.now();
      const captureWindowSec = input.captureWindowSec ?? defaultCaptureWindow(input.range);
      const upsert: Required<CatalogChange>['upsert'] = {};
      let logsets = e.logsets;
      let topics = e.topics;

      // The topic: an existing one (of the same range, whose window fits), or one created for it.
      let topic: TopicEntity | undefined;
      if (input.topicId !== undefined) {
        topic = e.topics.find((t) => t.id === input.topicId);
        if (!topic)
          throw new CatalogRefusal(404, 'not_found', `no topic ${JSON.stringify(input.topicId)}`, [
            { path: 'topicId', message: 'no such topic' },
          ]);
        if (input.logsetId !== undefined && topic.logsetId !== input.logsetId)
          throw invalid([{ path: 'topicId', message: 'the topic is not in the chosen logset' }]);
        if (topic.range !== input.range)
          throw invalid([
            {
              path: 'topicId',
              message: `the topic takes ${topic.range} flow logs, not ${input.range}`,
            },
          ]);
        if (!fitsTopicWindow(captureWindowSec, topic.windowSec))
          throw new CatalogRefusal(
            409,
            'window_mismatch',
            `the topic aggregates in ${windowLabel(topic.windowSec * 1000)} windows: a ${windowLabel(captureWindowSec * 1000)} capture window does not fit (it would be drawn as spikes); choose ${windowLabel(topic.windowSec * 1000)} or shorter, or another topic`,
            [{ path: 'captureWindowSec', message: `at most ${topic.windowSec} s for this topic` }],
          );
      } else {
        // The logset: an existing one, or the system's (`flowlog_logset`), created when missing.
        let logsetId = input.logsetId;
        if (logsetId !== undefined) {
          if (!e.logsets.some((l) => l.id === logsetId))
            throw new CatalogRefusal(404, 'not_found', `no logset ${JSON.stringify(logsetId)}`, [
              { path: 'logsetId', message: 'no such logset' },
            ]);
        } else {
          const system = e.logsets.find(
            (l) => l.id === DEFAULT_LOGSET_ID || l.name === 'flowlog_logset',
          );
          if (system) logsetId = system.id;
          else {
            const created: LogsetEntity = {
              id: e.logsets.some((l) => l.id === DEFAULT_LOGSET_ID)
                ? randomId('ls-')
                : DEFAULT_LOGSET_ID,
              name: 'flowlog_logset',
              region: e.logsets[0]?.region ?? 'ap-guangzhou',
              createdAt: now,
            };
            logsets = [...logsets, created];
            upsert.logsets = [created];
            logsetId = created.id;
          }
        }
        let name = input.name;
        for (let n = 2; topics.some((t) => t.logsetId === logsetId && t.name === name); n++)
          name = `${input.name} (${n})`;
        topic = newTopic(e, { name, logsetId, range: input.range, windowSec: captureWindowSec });
        topics = [...topics, topic];
        upsert.topics = [topic];
      }

      const owner = e.flowLogs.find(
        (f) => f.topicId === topic.id && f.resourceId === input.resourceId,
      );
      if (owner)
        throw new CatalogRefusal(
          409,
          'conflict',
          `${input.resourceId} is already collected by flow log ${JSON.stringify(owner.name)} in this topic`,
          [{ path: 'resourceId', message: 'already collected in this topic' }],
        );

      const flowLog: FlowLogInfo = {
        id: randomId('fl-'),
        name: input.name,
        range: input.range,
        resourceId: input.resourceId,
        resourceName: input.resourceName ?? '',
        vpcId: input.vpcId ?? null,
        subnetId: input.subnetId ?? null,
        regions: input.regions ?? [],
        collectionType: input.collectionType ?? 'ALL',
        captureWindowSec,
        logsetId: topic.logsetId,
        topicId: topic.id,
        tags: input.tags ?? {},
        enabled: input.enabled ?? true,
        simulated: input.simulated ?? false,
        createdAt: now,
      };
      upsert.flowLogs = [flowLog];
      await commit({ logsets, topics, flowLogs: [...e.flowLogs, flowLog] }, { upsert });
      return catalog.flowLog(flowLog.id)!;
    });
  }

  function updateFlowLog(id: string, body: unknown): Promise<FlowLogInfo> {
    const patch = parse(flowLogPatchSchema, body) as Record<string, unknown> & {
      name?: string;
      tags?: Record<string, string>;
      enabled?: boolean;
    };
    return serial(async () => {
      const e = entities();
      const current = e.flowLogs.find((f) => f.id === id);
      if (!current) throw notFound('flow log', id);
      const fixed = changedImmutables(
        current as unknown as Record<string, unknown>,
        patch,
        FLOW_LOG_IMMUTABLE,
      );
      if (fixed.length > 0)
        throw new CatalogRefusal(
          409,
          'immutable',
          `only the name and tags of a flow log can change (and collection be switched on or off); ` +
            `to change its ${fixed.join(', ')}, delete it and create a new one`,
          fixed.map((path) => ({ path, message: 'cannot change after creation' })),
        );
      const next: FlowLogInfo = {
        ...current,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      };
      if (JSON.stringify(next) === JSON.stringify(current)) return catalog.flowLog(id)!;
      await commit(
        { ...e, flowLogs: e.flowLogs.map((f) => (f.id === id ? next : f)) },
        { upsert: { flowLogs: [next] } },
      );
      return catalog.flowLog(id)!;
    });
  }

  /** Deletes a flow log; its records stay in the topic (they are the topic's data). */
  function deleteFlowLog(id: string): Promise<void> {
    return serial(async () => {
      const e = entities();
      if (!e.flowLogs.some((f) => f.id === id)) throw notFound('flow log', id);
      await commit(
        { ...e, flowLogs: e.flowLogs.filter((f) => f.id !== id) },
        { remove: { flowLogs: [id] } },
      );
    });
  }

  return {
    createLogset,
    updateLogset,
    deleteLogset,
    createTopic,
    updateTopic,
    deleteTopic,
    topicDeletion,
    createFlowLog,
    updateFlowLog,
    deleteFlowLog,
  };
}

export type CatalogManager = ReturnType<typeof createCatalogManager>;
