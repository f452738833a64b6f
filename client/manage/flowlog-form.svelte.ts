// The "Create flow log" form's state: its fields as the console has them, the body it sends, and
// the problem of each field, from the same zod schema the server checks (shared/catalog-schema.ts)
// and from the server's answer (a conflict it alone can see: the topic's window, a resource
// already collected...).
import { defaultCaptureWindow, type CaptureWindowSec } from '../../shared/capture-window.ts';
import type { CollectionRange, CollectionType, LogsetInfo } from '../../shared/catalog.ts';
import {
  checkFlowLogCreate,
  RANGE_NEEDS,
  type FlowLogCreate,
} from '../../shared/catalog-schema.ts';
import type { ErrorBody } from '../../shared/reply.ts';

/** "Created by system": the logset or topic is made for the flow log. */
export const SYSTEM = '';

export interface TagRow {
  key: string;
  value: string;
}

/** Form fields, as the user types them. */
export interface FlowLogFields {
  name: string;
  range: CollectionRange;
  resourceId: string;
  resourceName: string;
  vpcId: string;
  subnetId: string;
  regions: string[];
  collectionType: CollectionType;
  captureWindowSec: CaptureWindowSec;
  logsetId: string;
  topicId: string;
  tags: TagRow[];
  simulated: boolean;
}

export function emptyFields(range: CollectionRange = 'ENI'): FlowLogFields {
  return {
    name: '',
    range,
    resourceId: '',
    resourceName: '',
    vpcId: '',
    subnetId: '',
    regions: [],
    collectionType: 'ALL',
    captureWindowSec: defaultCaptureWindow(range),
    logsetId: SYSTEM,
    topicId: SYSTEM,
    tags: [],
    simulated: false,
  };
}

/** The POST body of the fields: only what the range asks for; system logset/topic left out. */
export function bodyOf(f: FlowLogFields): FlowLogCreate {
  const needs = RANGE_NEEDS[f.range];
  const tags: Record<string, string> = {};
  // A row without a key is the form's own problem (validate): it is not sent.
  for (const t of f.tags) if (t.key.trim() !== '') tags[t.key.trim()] = t.value;
  return {
    name: f.name,
    range: f.range,
    resourceId: f.resourceId.trim(),
    resourceName: f.resourceName,
    ...(needs.vpc ? { vpcId: f.vpcId.trim() } : {}),
    ...(needs.subnet ? { subnetId: f.subnetId.trim() } : {}),
    ...(needs.regions ? { regions: f.regions } : {}),
    collectionType: f.collectionType,
    captureWindowSec: f.captureWindowSec,
    ...(f.logsetId !== SYSTEM ? { logsetId: f.logsetId } : {}),
    ...(f.topicId !== SYSTEM ? { topicId: f.topicId } : {}),
    tags,
    simulated: f.simulated,
  };
}

/** Problems by field path ('' for the form as a whole), as the schema words them. */
export function validate(f: FlowLogFields): Record<string, string> {
  const errors: Record<string, string> = {};
  const keys = f.tags.map((t) => t.key.trim());
  keys.forEach((key, i) => {
    if (key === '' && f.tags[i]!.value !== '') errors[`tags.${i}`] = 'a tag key is required';
    else if (key !== '' && keys.indexOf(key) < i) errors[`tags.${i}`] = 'this key is already given';
  });
  const r = checkFlowLogCreate(bodyOf(f));
  if (!r.ok) {
    for (const p of r.problems) {
      // A tag's problem goes to its row.
      const m = /^tags\.(.+)$/.exec(p.path);
      const row = m ? f.tags.findIndex((t) => t.key.trim() === m[1]) : -1;
      const path = row >= 0 ? `tags.${row}` : p.path;
      errors[path] ??= p.message;
    }
  }
  return errors;
}

/** The server's refusal as problems by field ('' when it names none). */
export function serverProblems(error: ErrorBody, f: FlowLogFields): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of error.fields ?? []) {
    const m = /^tags\.(.+)$/.exec(p.path);
    const row = m ? f.tags.findIndex((t) => t.key.trim() === m[1]) : -1;
    errors[row >= 0 ? `tags.${row}` : p.path] ??= p.message;
  }
  if (Object.keys(errors).length === 0) errors[''] = error.message;
  return errors;
}

/** Topics a flow log of `range` can write into, in `logsetId` (any logset when SYSTEM). */
export function topicChoices(
  logsets: readonly LogsetInfo[],
  logsetId: string,
  range: CollectionRange,
) {
  return logsets
    .filter((l) => logsetId === SYSTEM || l.id === logsetId)
    .flatMap((l) =>
      l.topics.filter((t) => t.range === range).map((t) => ({ logset: l, topic: t })),
    );
}

/** The form's state: fields, problems shown (after a first submit, or per touched field). */
export class FlowLogForm {
  fields = $state<FlowLogFields>(emptyFields());
  /** Problems from the server's last answer. */
  server = $state.raw<Record<string, string>>({});
  submitted = $state(false);
  busy = $state(false);

  /** The schema's problems of the fields as they are now. */
  problems: Record<string, string> = $derived(validate(this.fields));
  /** What is shown: the schema's problems once submitted, the server's until the field changes. */
  shown: Record<string, string> = $derived(
    this.submitted ? { ...this.problems, ...this.server } : { ...this.server },
  );
  valid = $derived(Object.keys(this.problems).length === 0);

  /** A new range resets what depends on it (the capture window, the topic). */
  setRange(range: CollectionRange): void {
    this.fields.range = range;
    this.fields.captureWindowSec = defaultCaptureWindow(range);
    this.fields.topicId = SYSTEM;
    this.server = {};
  }

  /** The field changed: its server problem goes. */
  touched(path: string): void {
    if (path in this.server) {
      const { [path]: _gone, ...rest } = this.server;
      this.server = rest;
    }
  }

  addTag(): void {
    this.fields.tags.push({ key: '', value: '' });
  }

  removeTag(i: number): void {
    this.fields.tags.splice(i, 1);
    this.server = {};
  }
}
