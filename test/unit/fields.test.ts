// The field registry: complete for the eni and ccn formats, one FlowRecord key per core field.
import { describe, expect, it } from 'vitest';
import { COLUMN_CATALOG } from '../../client/records/columns.ts';
import { columnType, RECORD_COLUMNS } from '../../server/store/duckdb/schema.ts';
import { SORT_FIELDS } from '../../shared/api.ts';
import {
  CCN_FIELDS,
  ENI_FIELDS,
  FIELDS,
  protocolName,
  RECORD_FIELDS,
} from '../../shared/fields.ts';
import { createLineParser, recordToDocumented } from '../../shared/parse/index.ts';
import { KEYWORD_COLUMNS, QUERY_FIELDS } from '../../shared/query/index.ts';
import { RECORD_COLUMNS as COMPILE_COLUMNS } from '../../server/store/duckdb/compile.ts';

describe('field registry', () => {
  it('knows every eni and ccn field, each with a description', () => {
    for (const name of [...ENI_FIELDS, ...CCN_FIELDS]) expect(FIELDS.get(name)?.name).toBe(name);
    for (const info of FIELDS.values()) expect(info.description.length).toBeGreaterThan(5);
    expect(FIELDS.get('dstport')?.description).toContain('Tencent packs type and code');
  });

  it('maps each FlowRecord property from exactly one field', () => {
    const keys = [...FIELDS.values()].map((f) => f.key).filter((k) => k !== 'extra');
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(18);
  });

  it('types the AWS numeric extras', () => {
    expect(FIELDS.get('tcp-flags')).toMatchObject({ type: 'int', key: 'extra', origin: 'v3' });
    expect(FIELDS.get('packets-lost-ttl-expired')).toMatchObject({ type: 'long', key: 'extra' });
    expect(FIELDS.get('ccnid')).toMatchObject({ key: 'ccnId', origin: 'ccn' });
  });

  it('names common protocols', () => {
    expect([1, 6, 17, 47, 50, 51, 58, 132].map(protocolName)).toEqual([
      'ICMP',
      'TCP',
      'UDP',
      'GRE',
      'ESP',
      'AH',
      'ICMPv6',
      'SCTP',
    ]);
    expect(protocolName(253)).toBe('253');
  });
});

describe('one field table', () => {
  it('gives every stored field a column of the records table, and every column a field', () => {
    const fromTable = new Set(
      [...RECORD_FIELDS.values()].flatMap((f) =>
        f.column ? [f.column, ...(f.ipColumn ? [f.ipColumn] : [])] : [],
      ),
    );
    const schema = new Set<string>(RECORD_COLUMNS);
    for (const c of fromTable) expect(schema.has(c), c).toBe(true);
    for (const c of schema)
      expect(fromTable.has(c) || ['extra', 'format', 'qhash'].includes(c), c).toBe(true);
    expect(columnType('srcport')).toBe('INTEGER');
    expect(columnType('topic')).toBe('VARCHAR NOT NULL');
  });

  it('derives the query fields, keyword columns and sort fields from it', () => {
    for (const f of RECORD_FIELDS.values()) {
      expect(QUERY_FIELDS.has(f.name as never), f.name).toBe(f.query);
      if (f.query) expect(COMPILE_COLUMNS[f.name as keyof typeof COMPILE_COLUMNS]).toBe(f.column);
    }
    expect(QUERY_FIELDS.get('addr')?.columns).toEqual(['srcaddr', 'dstaddr']);
    expect(KEYWORD_COLUMNS).toContain('interface-id');
    expect(KEYWORD_COLUMNS).not.toContain('bytes');
    expect([...SORT_FIELDS].sort()).toEqual(
      [
        'window',
        'seq',
        'bytes',
        'packets',
        'start',
        'end',
        'srcport',
        'dstport',
        'protocol',
      ].sort(),
    );
  });

  it('gives the record table its columns, storage fields among them', () => {
    const keys = COLUMN_CATALOG.map((c) => c.key);
    expect(keys.slice(0, 6)).toEqual(['window', 'start', 'end', 'topic', 'stream', 'seq']);
    expect(keys).toContain('tcp-flags');
    expect(COLUMN_CATALOG.find((c) => c.key === 'bytes')).toMatchObject({
      label: 'Bytes',
      sort: 'bytes',
    });
    expect(COLUMN_CATALOG.find((c) => c.key === 'topic')?.sort).toBeNull();
  });

  it('keeps version as text in every output', () => {
    const r = createLineParser('auto').parse(
      '2 1250000000 eni-7f3a91c2 10.0.1.12 10.0.2.30 41652 3306 6 20 4249 1700000000 1700000060 ACCEPT OK',
      1,
    );
    expect(r.kind).toBe('record');
    if (r.kind === 'record') expect(recordToDocumented(r.record).version).toBe('2');
  });
});
