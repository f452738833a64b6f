import { describe, expect, it } from 'vitest';
import { compileClickHouse, literal } from '../../server/store/clickhouse/sql.ts';
import { likePrefix } from '../../server/store/filter.ts';
import {
  createRecordsTable,
  createRollup,
  featuresOf,
  tsvField,
} from '../../server/store/clickhouse/schema.ts';
import { parseQuery, type QueryNode } from '../../shared/query/index.ts';

function ast(text: string): QueryNode | null {
  const p = parseQuery(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.ast;
}

describe('ClickHouse literals (18.16 has no query parameters: every value goes through literal)', () => {
  it('quotes strings with backslashes, quotes and control characters escaped', () => {
    expect(literal("it's")).toBe("'it\\'s'");
    expect(literal('a\\b')).toBe("'a\\\\b'");
    expect(literal("x' OR 1=1 --")).toBe("'x\\' OR 1=1 --'");
    expect(literal('t\tn\nr\r0\0')).toBe("'t\\tn\\nr\\r0\\0'");
    // Nothing of the value can close the quote: the only quote left unescaped is the last one.
    for (const s of ["'", "\\'", "\\\\'", "''", '\\']) {
      const q = literal(s);
      expect(q.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*'/);
    }
  });

  it('writes integers as digits and refuses anything else', () => {
    expect(literal(443)).toBe('443');
    expect(literal(-1)).toBe('-1');
    expect(literal(2n ** 64n - 1n)).toBe('18446744073709551615');
    for (const bad of [1.5, NaN, Infinity, 2 ** 60])
      expect(() => literal(bad), String(bad)).toThrow(/not a literal/);
  });

  it('escapes LIKE metacharacters of a prefix, then the literal escapes the backslashes', () => {
    expect(likePrefix('eni_test%')).toBe('eni\\_test\\%%');
    expect(literal(likePrefix('a\\'))).toBe("'a\\\\\\\\%'");
  });
});

describe('compileClickHouse', () => {
  it('is 1 for the empty query and compares addresses on their two UInt64 halves', () => {
    expect(compileClickHouse(null)).toBe('1');
    // IPv4 is kept IPv4-mapped: ::ffff:0:0/96, so the high half is 0 and the low half holds it.
    expect(compileClickHouse(ast('srcaddr:10.0.0.0/8'))).toBe(
      '(src_ip_hi = 0 AND src_ip_lo BETWEEN 281470849515520 AND 281470866292735)',
    );
    expect(compileClickHouse(ast('dstaddr:fe80::/10'))).toBe(
      'dst_ip_hi BETWEEN 18338657682652659712 AND 18356672081162141695',
    );
    expect(compileClickHouse(ast('NOT dstport:22'))).toBe('(NOT coalesce(dstport = 22, 0))');
  });

  it('throws on an AST the parser cannot make', () => {
    const bad = { type: 'term', field: 'nope', op: 'exists' } as unknown as QueryNode;
    expect(() => compileClickHouse(bad)).toThrow(/unknown field/);
  });
});

describe('ClickHouse TSV and schema', () => {
  it('writes NULL as \\N and escapes text for TabSeparated', () => {
    expect(tsvField(null)).toBe('\\N');
    expect(tsvField(undefined)).toBe('\\N');
    expect(tsvField('a\tb\nc\\d')).toBe('a\\tb\\nc\\\\d');
    expect(tsvField(12n)).toBe('12');
  });

  it('partitions records by day and refuses a database name that is not an identifier', () => {
    expect(createRecordsTable('flowdeck')).toMatch(
      /PARTITION BY \(topic, toYYYYMMDD\(toDateTime\(intDiv\(window_start, 1000\)\)\)\)/,
    );
    expect(() => createRecordsTable('x; DROP DATABASE y')).toThrow(/not a database name/);
  });
});

describe('what the server version allows', () => {
  it('keeps 18.16 on plain types and dictionary-encodes low-cardinality text from 19.3', () => {
    expect(featuresOf('18.16.1').lowCardinality).toBe(false);
    expect(featuresOf('19.1.6').lowCardinality).toBe(false);
    expect(featuresOf('19.3.4').lowCardinality).toBe(true);
    expect(featuresOf('24.8.4.13').lowCardinality).toBe(true);
    const old = createRecordsTable('flows', featuresOf('18.16.1'));
    expect(old).not.toContain('LowCardinality');
    const recent = createRecordsTable('flows', featuresOf('23.3.1'));
    expect(recent).toContain('topic LowCardinality(String)');
    expect(recent).toContain('action LowCardinality(Nullable(String))');
    // Addresses and numbers keep their types.
    expect(recent).toContain('srcaddr Nullable(String)');
    expect(recent).toContain('bytes Nullable(Int64)');
    expect(
      createRollup('flows', 'records', 'records_by_window', featuresOf('23.3.1'))[0],
    ).toContain('stream LowCardinality(String)');
  });
});
