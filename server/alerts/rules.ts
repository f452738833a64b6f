// The alert rules: kept in the store with the catalog (one document per rule), validated at the
// edge with the rule schema, their query parsed (a rule with a query that does not parse is
// refused with the position), their topic checked. Changes run one at a time, in call order.
import { ruleInputSchema, type Rule } from '../../shared/alerts/rule.ts';
import type { AlertRuleEntity } from '../../shared/catalog.ts';
import { parseQuery } from '../../shared/query/index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import {
  CatalogRefusal,
  invalid,
  notFound,
  parse,
  randomId,
  serialQueue,
} from '../catalog/manage.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/contract.ts';

/** Rules one flowdeck keeps at most (each is matched against every committed record). */
export const MAX_RULES = 500;

export function createRuleBook(
  deps: { store: Pick<Store, 'saveCatalog'>; catalog: Catalog; clock: Clock },
  initial: readonly AlertRuleEntity[] = [],
) {
  const rules = new Map(initial.map((r) => [r.id, r]));
  const listeners = new Set<() => void>();
  const serial = serialQueue();
  const changed = () => {
    for (const l of listeners) l();
  };

  /** The input checked as a whole: fields, query, topic. */
  function check(input: unknown): Omit<Rule, 'id'> {
    const r = parse(ruleInputSchema, input);
    const q = parseQuery(r.query);
    if (!q.ok)
      throw new CatalogRefusal(
        400,
        'invalid',
        `query: ${q.error.message}`,
        [{ path: 'query', message: q.error.message }],
        { position: q.error.position, length: q.error.length },
      );
    if (!deps.catalog.topic(r.topicId))
      throw invalid([{ path: 'topicId', message: `no topic ${JSON.stringify(r.topicId)}` }]);
    return r;
  }

  return {
    list: (topicId?: string) =>
      [...rules.values()]
        .filter((r) => topicId === undefined || r.topicId === topicId)
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
    get: (id: string) => rules.get(id),
    onChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    create: (input: unknown) =>
      serial(async () => {
        const r = check(input);
        if (rules.size >= MAX_RULES)
          throw new CatalogRefusal(409, 'too_many', `at most ${MAX_RULES} alert rules`);
        const now = deps.clock.now();
        const rule: AlertRuleEntity = {
          ...r,
          id: randomId('rule-'),
          createdAt: now,
          updatedAt: now,
        };
        await deps.store.saveCatalog({ upsert: { alertRules: [rule] } });
        rules.set(rule.id, rule);
        changed();
        return rule;
      }),
    /** A partial change: merged over the rule, then checked whole. The topic cannot move. */
    update: (id: string, patch: unknown) =>
      serial(async () => {
        const held = rules.get(id);
        if (!held) throw notFound('alert rule', id);
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
          throw new CatalogRefusal(400, 'invalid', 'a rule change is a JSON object');
        const p = patch as Record<string, unknown>;
        if ('id' in p || 'createdAt' in p || 'updatedAt' in p)
          throw new CatalogRefusal(400, 'invalid', 'id, createdAt and updatedAt are not changed');
        if ('topicId' in p && p.topicId !== held.topicId)
          throw invalid([
            { path: 'topicId', message: 'a rule stays on its topic; make a new rule' },
          ]);
        const { id: _i, createdAt: _c, updatedAt: _u, ...base } = held;
        const r = check({ ...base, ...p });
        const rule: AlertRuleEntity = {
          ...r,
          id,
          createdAt: held.createdAt,
          updatedAt: deps.clock.now(),
        };
        await deps.store.saveCatalog({ upsert: { alertRules: [rule] } });
        rules.set(id, rule);
        changed();
        return rule;
      }),
    remove: (id: string) =>
      serial(async () => {
        if (!rules.has(id)) throw notFound('alert rule', id);
        await deps.store.saveCatalog({ remove: { alertRules: [id] } });
        rules.delete(id);
        changed();
        return { id };
      }),
    /** The rules of topics no longer in the catalog go with them. */
    dropOrphans: () =>
      serial(async () => {
        const gone = [...rules.values()]
          .filter((r) => !deps.catalog.topic(r.topicId))
          .map((r) => r.id);
        if (gone.length === 0) return 0;
        await deps.store.saveCatalog({ remove: { alertRules: gone } });
        for (const id of gone) rules.delete(id);
        changed();
        return gone.length;
      }),
    /** Another process changed the rules: take the stored ones. */
    replace(stored: readonly AlertRuleEntity[]) {
      rules.clear();
      for (const r of stored) rules.set(r.id, r);
      changed();
    },
  };
}

export type RuleBook = ReturnType<typeof createRuleBook>;
