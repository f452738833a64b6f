// What the management API takes, as zod schemas: the one validator at the edge for both the
// server (HTTP bodies) and the client (the "Create flow log" form shows the same messages on its
// fields). The checks that need the whole catalog (does the topic exist, does the window fit) are
// the server's (server/catalog/manage.ts). No Node, no DOM.
import { z } from 'zod';
import { CAPTURE_WINDOWS } from './capture-window.ts';
import {
  COLLECTION_RANGES,
  COLLECTION_TYPES,
  RESOURCE_PREFIX,
  type CollectionRange,
} from './catalog.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

/** Logset, topic and flow-log ids appear in URLs: letters, digits, `.`, `_`, `~` and `-`. */
export const URL_SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;
/** The console allows names of up to 60 characters. */
export const NAME_MAX = 60;
export const TAG_KEY_MAX = 127;
export const TAG_VALUE_MAX = 255;
export const TAGS_MAX = 50;
/** A region id such as `ap-guangzhou`, `na-siliconvalley`, `eu-frankfurt`, `ap-shanghai-fsi`. */
export const REGION_ID = /^[a-z]{2,4}(-[a-z0-9]+){1,3}$/;
/** Cloud ids after their prefix (`eni-7m2k9q4d`; AWS's 17 hex digits fit too). */
const ID_BODY = '[A-Za-z0-9]{1,32}';
/** No character below U+0020 and no DEL: names and tags are shown as text, one line. */
const noControl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
};

export const idSchema = z
  .string({ error: 'an id is text' })
  .regex(URL_SAFE_ID, { error: 'an id is 1-64 letters, digits, ".", "_", "~" or "-"' });

export function nameSchema(what: string) {
  return z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, { error: `${what} is required` })
    .max(NAME_MAX, { error: `${what} is at most ${NAME_MAX} characters` })
    .refine(noControl, { error: `${what} may not hold control characters` });
}

export const tagsSchema = z
  .record(
    z
      .string()
      .trim()
      .min(1, { error: 'a tag key is required' })
      .max(TAG_KEY_MAX, { error: `a tag key is at most ${TAG_KEY_MAX} characters` })
      .refine(noControl, { error: 'a tag key may not hold control characters' }),
    z
      .string({ error: 'a tag value is text (it may be empty)' })
      .max(TAG_VALUE_MAX, { error: `a tag value is at most ${TAG_VALUE_MAX} characters` })
      .refine(noControl, { error: 'a tag value may not hold control characters' }),
    { error: 'tags are an object of key: value' },
  )
  .refine((t) => Object.keys(t).length <= TAGS_MAX, { error: `at most ${TAGS_MAX} tags` });

export const captureWindowSchema = z.union(
  CAPTURE_WINDOWS.map((s) => z.literal(s)),
  { error: `the capture window is ${CAPTURE_WINDOWS.join(', ')} seconds` },
);

const regionSchema = z.string().regex(REGION_ID, { error: 'a region id looks like ap-guangzhou' });

const retentionSchema = z
  .object({
    rawDays: z.number().positive().max(3650).optional(),
    windowDays: z.number().positive().max(3650).optional(),
  })
  .strict();

const shareSchema = (what: string) =>
  z
    .number({ error: `${what} is a number from 0 to 1 (a share: 0.05 is 5%)` })
    .min(0, { error: `${what} is a number from 0 to 1 (a share: 0.05 is 5%)` })
    .max(1, { error: `${what} is a number from 0 to 1 (a share: 0.05 is 5%)` });

/** A topic's alert thresholds (shared/thresholds.ts); what is left out takes the default. */
export const thresholdsSchema = z
  .object({
    rejectWarn: shareSchema('the REJECT warning share').optional(),
    rejectAlert: shareSchema('the REJECT alert share').optional(),
    dropBelow: shareSchema('the volume drop fraction').optional(),
    spikeAbove: z
      .number({ error: 'the volume spike factor is a number from 1 to 1000' })
      .min(1, { error: 'the volume spike factor is a number from 1 to 1000' })
      .max(1000, { error: 'the volume spike factor is a number from 1 to 1000' })
      .optional(),
  })
  .strict()
  .refine(
    (t) =>
      (t.rejectWarn ?? DEFAULT_THRESHOLDS.rejectWarn) <=
      (t.rejectAlert ?? DEFAULT_THRESHOLDS.rejectAlert),
    { error: 'the REJECT warning share is at most the alert share', path: ['rejectWarn'] },
  );

/** An id of a cloud resource: `prefix` then letters and digits. */
export function cloudIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}${ID_BODY}$`);
}

/** What each collection range asks for besides the resource id. */
export const RANGE_NEEDS: Readonly<
  Record<CollectionRange, { vpc: boolean; subnet: boolean; regions: boolean }>
> = {
  ENI: { vpc: true, subnet: true, regions: false },
  NAT: { vpc: true, subnet: false, regions: false },
  CCN: { vpc: false, subnet: false, regions: true },
};

const article = (range: CollectionRange) => (range === 'ENI' ? 'an' : 'a');

/** What the fields a collection range asks for must be, given the range. */
export interface RangeFields {
  range: CollectionRange;
  resourceId: string;
  vpcId?: string | null | undefined;
  subnetId?: string | null | undefined;
  regions?: readonly string[] | undefined;
}

/** The problems of the range-dependent fields (the resource id's prefix, VPC, subnet, regions). */
export function rangeProblems(v: RangeFields): FieldProblem[] {
  const out: FieldProblem[] = [];
  const prefix = RESOURCE_PREFIX[v.range];
  const resourceId = v.resourceId.trim();
  if (!cloudIdPattern(prefix).test(resourceId)) {
    out.push({
      path: 'resourceId',
      message:
        resourceId === ''
          ? 'the resource is required'
          : `${article(v.range)} ${v.range} resource id looks like ${prefix}7m2k9q4d`,
    });
  }
  const needs = RANGE_NEEDS[v.range];
  const check = (field: 'vpcId' | 'subnetId', wanted: boolean, p: string, what: string) => {
    const value = v[field]?.trim();
    if (wanted && !value) out.push({ path: field, message: `${what} is required` });
    else if (wanted && value && !cloudIdPattern(p).test(value))
      out.push({ path: field, message: `${what} looks like ${p}m4k2x9p7` });
    else if (!wanted && value)
      out.push({ path: field, message: `a ${v.range} flow log has no ${what}` });
  };
  check('vpcId', needs.vpc, 'vpc-', 'the VPC');
  check('subnetId', needs.subnet, 'subnet-', 'the subnet');
  const regions = v.regions ?? [];
  if (needs.regions && regions.length === 0)
    out.push({
      path: 'regions',
      message: 'a CCN flow log lists the regions its instance connects',
    });
  if (!needs.regions && regions.length > 0)
    out.push({ path: 'regions', message: 'only CCN flow logs list regions' });
  if (new Set(regions).size !== regions.length)
    out.push({ path: 'regions', message: 'a region is listed twice' });
  return out;
}

/**
 * Checks a POST /api/flowlogs body: every problem at once (the schema's, and the range's even
 * when other fields failed, so that a form shows them all together).
 */
export function checkFlowLogCreate(
  body: unknown,
):
  | { ok: true; data: z.output<typeof flowLogCreateSchema> }
  | { ok: false; problems: FieldProblem[] } {
  const r = flowLogCreateSchema.safeParse(body ?? {});
  if (r.success) return { ok: true, data: r.data };
  const problems = fieldProblems(r.error.issues);
  const b = body as Partial<Record<string, unknown>> | null;
  const range = b?.range;
  if (
    typeof range === 'string' &&
    (COLLECTION_RANGES as readonly string[]).includes(range) &&
    typeof b?.resourceId === 'string'
  ) {
    const extra = rangeProblems({
      range: range as CollectionRange,
      resourceId: b.resourceId,
      vpcId: typeof b.vpcId === 'string' ? b.vpcId : null,
      subnetId: typeof b.subnetId === 'string' ? b.subnetId : null,
      regions: Array.isArray(b.regions) ? (b.regions as string[]) : [],
    });
    for (const p of extra) if (!problems.some((q) => q.path === p.path)) problems.push(p);
  }
  return { ok: false, problems };
}

/** POST /api/flowlogs. `logsetId` / `topicId` left out: "created by system". */
export const flowLogCreateSchema = z
  .object({
    name: nameSchema('the name'),
    range: z.enum(COLLECTION_RANGES, { error: 'the collection range is ENI, NAT or CCN' }),
    resourceId: z.string({ error: 'the resource is required' }).trim(),
    resourceName: z
      .string()
      .trim()
      .max(NAME_MAX, { error: `the resource name is at most ${NAME_MAX} characters` })
      .refine(noControl, { error: 'the resource name may not hold control characters' })
      .default(''),
    vpcId: z.string().trim().nullish(),
    subnetId: z.string().trim().nullish(),
    regions: z.array(regionSchema).max(64, { error: 'at most 64 regions' }).default([]),
    collectionType: z
      .enum(COLLECTION_TYPES, { error: 'the collection type is ALL, ACCEPT or REJECT' })
      .default('ALL'),
    captureWindowSec: captureWindowSchema.optional(),
    logsetId: idSchema.optional(),
    topicId: idSchema.optional(),
    tags: tagsSchema.default({}),
    enabled: z.boolean().default(true),
    simulated: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const p of rangeProblems(v))
      ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  });
export type FlowLogCreate = z.input<typeof flowLogCreateSchema>;

/** Fields of a flow log that can change after it is created (the console: name and tags). */
export const FLOW_LOG_MUTABLE = ['name', 'tags', 'enabled'] as const;
/** Everything else is fixed: delete the flow log and create a new one to change it. */
export const FLOW_LOG_IMMUTABLE = [
  'id',
  'range',
  'resourceId',
  'resourceName',
  'vpcId',
  'subnetId',
  'regions',
  'collectionType',
  'captureWindowSec',
  'logsetId',
  'topicId',
  'simulated',
  'createdAt',
] as const;

/** PATCH /api/flowlogs/:id: name, tags and enabled; any other field known to be fixed is checked. */
export const flowLogPatchSchema = z
  .object({
    name: nameSchema('the name').optional(),
    tags: tagsSchema.optional(),
    enabled: z.boolean({ error: 'enabled is true or false' }).optional(),
    ...Object.fromEntries(FLOW_LOG_IMMUTABLE.map((k) => [k, z.unknown().optional()])),
  })
  .strict();
export type FlowLogPatch = z.input<typeof flowLogPatchSchema>;

/** POST /api/logsets. */
export const logsetCreateSchema = z
  .object({
    name: nameSchema('the logset name'),
    region: regionSchema.optional(),
  })
  .strict();
export type LogsetCreate = z.input<typeof logsetCreateSchema>;

/** PATCH /api/logsets/:id: the name only (a logset's region is where it lives). */
export const logsetPatchSchema = z
  .object({
    name: nameSchema('the logset name').optional(),
    region: z.unknown().optional(),
    id: z.unknown().optional(),
    createdAt: z.unknown().optional(),
  })
  .strict();
export const LOGSET_IMMUTABLE = ['region', 'id', 'createdAt'] as const;

/** POST /api/topics. */
export const topicCreateSchema = z
  .object({
    name: nameSchema('the topic name'),
    logsetId: idSchema,
    range: z.enum(COLLECTION_RANGES, { error: 'the collection range is ENI, NAT or CCN' }),
    windowSec: captureWindowSchema.optional(),
    retention: retentionSchema.optional(),
    thresholds: thresholdsSchema.optional(),
  })
  .strict();
export type TopicCreate = z.input<typeof topicCreateSchema>;

/**
 * PATCH /api/topics/:id: the name, retention and thresholds (null resets to the defaults); its
 * range, window and logset are fixed.
 */
export const topicPatchSchema = z
  .object({
    name: nameSchema('the topic name').optional(),
    retention: retentionSchema.nullable().optional(),
    thresholds: thresholdsSchema.nullable().optional(),
    range: z.unknown().optional(),
    windowSec: z.unknown().optional(),
    logsetId: z.unknown().optional(),
    id: z.unknown().optional(),
    createdAt: z.unknown().optional(),
  })
  .strict();
export const TOPIC_IMMUTABLE = ['range', 'windowSec', 'logsetId', 'id', 'createdAt'] as const;

/** One problem of a request body, at a field path (`resourceId`, `tags.env`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** zod issues as field problems, in the order found. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys')
      return {
        path,
        message: `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`,
      };
    return { path, message: i.message };
  });
}
