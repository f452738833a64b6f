import { describe, expect, it } from 'vitest';
import {
  and,
  buildFilter,
  formatQuery,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_QUERY_TERMS,
  MAX_QUERY_WILDCARDS,
  not,
  or,
  parseQuery,
  type QueryNode,
  quoteValue,
} from '../../shared/query/index.ts';
import { compileQuery, RECORD_COLUMNS, type ColumnMap } from '../../server/store/duckdb/compile.ts';

function parse(text: string): QueryNode | null {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message} at ${r.error.position}`);
  return r.ast;
}

const kw = (value: string, prefix = false): QueryNode => ({ type: 'keyword', value, prefix });

describe('parseQuery: ASTs', () => {
  const cases: Array<[string, QueryNode | null]> = [
    ['', null],
    ['   \t\n', null],
    ['srcport:443', { type: 'term', field: 'srcport', op: 'eq', value: 443 }],
    ['SrcPort:443', { type: 'term', field: 'srcport', op: 'eq', value: 443 }],
    ['srcaddr:10.0.0.1', { type: 'term', field: 'srcaddr', op: 'eq', value: '10.0.0.1' }],
    ['srcaddr:::FFFF:10.0.0.1', { type: 'term', field: 'srcaddr', op: 'eq', value: '10.0.0.1' }],
    ['dstaddr:2001:DB8:0:0::1', { type: 'term', field: 'dstaddr', op: 'eq', value: '2001:db8::1' }],
    ['srcaddr:10.1.2.3/8', { type: 'term', field: 'srcaddr', op: 'cidr', value: '10.0.0.0/8' }],
    ['addr:2001:db8::/32', { type: 'term', field: 'addr', op: 'cidr', value: '2001:db8::/32' }],
    ['srcaddr:10.0.*', { type: 'term', field: 'srcaddr', op: 'prefix', value: '10.0.' }],
    ['interface-id:eni-7*', { type: 'term', field: 'interface-id', op: 'prefix', value: 'eni-7' }],
    ['ccnid:*', { type: 'term', field: 'ccnid', op: 'exists' }],
    ['protocol:TCP', { type: 'term', field: 'protocol', op: 'eq', value: 6 }],
    ['protocol:icmpv6', { type: 'term', field: 'protocol', op: 'eq', value: 58 }],
    ['action:reject', { type: 'term', field: 'action', op: 'eq', value: 'REJECT' }],
    ['log-status:NoData', { type: 'term', field: 'log-status', op: 'eq', value: 'NODATA' }],
    ['version:v1', { type: 'term', field: 'version', op: 'eq', value: 'V1' }],
    ['topic:"my topic \\"x\\""', { type: 'term', field: 'topic', op: 'eq', value: 'my topic "x"' }],
    ['topic:a\\ b\\*', { type: 'term', field: 'topic', op: 'eq', value: 'a b*' }],
    ['topic:"a*"', { type: 'term', field: 'topic', op: 'eq', value: 'a*' }],
    [
      'bytes:>1000',
      {
        type: 'term',
        field: 'bytes',
        op: 'range',
        lo: 1000,
        hi: null,
        loInclusive: false,
        hiInclusive: false,
      },
    ],
    [
      'start:<=1700000000',
      {
        type: 'term',
        field: 'start',
        op: 'range',
        lo: null,
        hi: 1700000000,
        loInclusive: false,
        hiInclusive: true,
      },
    ],
    [
      'port:[1 TO 1024}',
      {
        type: 'term',
        field: 'port',
        op: 'range',
        lo: 1,
        hi: 1024,
        loInclusive: true,
        hiInclusive: false,
      },
    ],
    [
      'dstport:{* to 1024]',
      {
        type: 'term',
        field: 'dstport',
        op: 'range',
        lo: null,
        hi: 1024,
        loInclusive: false,
        hiInclusive: true,
      },
    ],
    ['packets:[* TO *]', { type: 'term', field: 'packets', op: 'exists' }],
    [
      'srcaddr:[10.0.0.1 TO 10.0.0.9]',
      {
        type: 'term',
        field: 'srcaddr',
        op: 'range',
        lo: '10.0.0.1',
        hi: '10.0.0.9',
        loInclusive: true,
        hiInclusive: true,
      },
    ],
    ['scanner', kw('scanner')],
    ['"eni-7m2k"', kw('eni-7m2k')],
    ['"and"', kw('and')],
    ['eni-7*', kw('eni-7', true)],
    ['*', kw('', true)],
    ['2001:db8::1', kw('2001:db8::1')],
    ['::1', kw('::1')],
    ['fe80::/10', kw('fe80::/10')],
    ['10.0.0.0/8', kw('10.0.0.0/8')],
    ['a b', { type: 'and', children: [kw('a'), kw('b')] }],
    ['a and b && c', { type: 'and', children: [kw('a'), kw('b'), kw('c')] }],
    ['a OR b || c', { type: 'or', children: [kw('a'), kw('b'), kw('c')] }],
    [
      'a OR b c',
      { type: 'or', children: [kw('a'), { type: 'and', children: [kw('b'), kw('c')] }] },
    ],
    ['NOT a b', { type: 'and', children: [{ type: 'not', child: kw('a') }, kw('b')] }],
    [
      'a NOT b OR c',
      {
        type: 'or',
        children: [{ type: 'and', children: [kw('a'), { type: 'not', child: kw('b') }] }, kw('c')],
      },
    ],
    ['!a', { type: 'not', child: kw('a') }],
    ['NOT(a)', { type: 'not', child: kw('a') }],
    ['not not a', { type: 'not', child: { type: 'not', child: kw('a') } }],
    [
      '(a OR b) AND c',
      { type: 'and', children: [{ type: 'or', children: [kw('a'), kw('b')] }, kw('c')] },
    ],
    ['a AND (b AND (c))', { type: 'and', children: [kw('a'), kw('b'), kw('c')] }],
    ['((a))', kw('a')],
    [
      'android orange notable',
      { type: 'and', children: [kw('android'), kw('orange'), kw('notable')] },
    ],
    ['(srcaddr:10.0.0.1)', { type: 'term', field: 'srcaddr', op: 'eq', value: '10.0.0.1' }],
    ['(dstaddr:2001:db8::1)', { type: 'term', field: 'dstaddr', op: 'eq', value: '2001:db8::1' }],
  ];
  it.each(cases)('%s', (text, ast) => {
    expect(parse(text)).toEqual(ast);
  });
});

describe('formatQuery: canonical text, and parse(format(ast)) is the same AST', () => {
  const cases: Array<[string, string]> = [
    ['srcaddr:10.0.0.0/8 and not action:reject', 'srcaddr:10.0.0.0/8 AND NOT action:REJECT'],
    ['a b OR c', 'a AND b OR c'],
    ['a (b OR c)', 'a AND (b OR c)'],
    ['NOT (a b)', 'NOT (a AND b)'],
    ['!(a || b)', 'NOT (a OR b)'],
    ['((a OR b) OR c)', 'a OR b OR c'],
    [
      'protocol:6 protocol:17 protocol:1 protocol:58',
      'protocol:tcp AND protocol:udp AND protocol:icmp AND protocol:icmpv6',
    ],
    ['protocol:gre', 'protocol:47'],
    ['port:[80 TO 443]', 'port:[80 TO 443]'],
    ['port:{80 TO 443]', 'port:{80 TO 443]'],
    ['bytes:[1000 TO *]', 'bytes:>=1000'],
    ['bytes:{* TO 1000}', 'bytes:<1000'],
    ['srcaddr:::ffff:10.0.0.0/104', 'srcaddr:10.0.0.0/8'],
    ['srcaddr:0.0.0.0/0', 'srcaddr:0.0.0.0/0'],
    ['addr:::/0', 'addr:::/0'],
    ['dstaddr:2001:DB8::1:0:0:1', 'dstaddr:2001:db8::1:0:0:1'],
    ['topic:"a b"', 'topic:"a b"'],
    ['topic:"x*"', 'topic:"x*"'],
    ['topic:"[x"', 'topic:"[x"'],
    ['topic:"a\\\\b"', 'topic:"a\\\\b"'],
    ['topic:my\\ to*', 'topic:my\\ to*'],
    ['stream:ccn-1/ap-guangzhou', 'stream:ccn-1/ap-guangzhou'],
    ['"two words"', '"two words"'],
    ['"OR"', '"OR"'],
    ['"!x"', '"!x"'],
    ['"a:b"', '"a:b"'],
    ['"2001:db8::1"', '2001:db8::1'],
    ['a\\:b*', 'a\\:b*'],
    ['*', '*'],
    ['ccnid:*', 'ccnid:*'],
    ['srcaddr:[10.0.0.1 TO 10.0.0.9}', 'srcaddr:[10.0.0.1 TO 10.0.0.9}'],
    ['dstaddr:>fe80::1', 'dstaddr:>fe80::1'],
  ];
  it.each(cases)('%s -> %s', (text, canonical) => {
    const ast = parse(text);
    expect(formatQuery(ast)).toBe(canonical);
    expect(parse(canonical)).toEqual(ast);
  });

  it('formats null as the empty query', () => {
    expect(formatQuery(null)).toBe('');
  });

  it('round-trips keywords and values with awkward characters', () => {
    const awkward = [
      'a:b',
      'x y',
      '"',
      '\\',
      '*',
      'a*b',
      '(x)',
      '>5',
      '[1',
      'and',
      'NOT',
      '!x',
      '&&y',
      '：',
      'ü',
    ];
    for (const value of awkward) {
      for (const prefix of [false, true]) {
        const ast: QueryNode = { type: 'keyword', value, prefix };
        expect(parse(formatQuery(ast)), `${value}${prefix ? '*' : ''}`).toEqual(ast);
        const term: QueryNode = prefix
          ? { type: 'term', field: 'topic', op: 'prefix', value }
          : { type: 'term', field: 'topic', op: 'eq', value };
        expect(parse(formatQuery(term)), `topic ${value}`).toEqual(term);
      }
    }
  });

  it('writes empty AND/OR nodes as match-all and match-nothing', () => {
    expect(formatQuery({ type: 'and', children: [] })).toBe('*');
    expect(formatQuery({ type: 'or', children: [] })).toBe('NOT *');
  });
});

describe('parseQuery: errors with their position', () => {
  // [query, message fragment, position, length]
  const cases: Array<[string, string, number, number]> = [
    ['srcport:abc', 'srcport must be a port number', 8, 3],
    ['srcport:70000', 'srcport must be a port number', 8, 5],
    ['a AND dstport:-1', 'dstport must be a port number', 14, 2],
    ['protocol:256', 'protocol must be a protocol number', 9, 3],
    ['protocol:tcpx', 'protocol must be', 9, 4],
    ['bytes:1.5', 'bytes must be a non-negative integer', 6, 3],
    ['start:yesterday', 'start must be epoch seconds', 6, 9],
    ['srcaddr:10.0.0.0/40', 'prefix length must be 0-32 for IPv4', 8, 11],
    ['dstaddr:2001:db8::/129', 'prefix length must be 0-128 for IPv6', 8, 14],
    ['srcaddr:10.0.0.256', 'srcaddr must be an IP address', 8, 10],
    ['srcaddr:010.0.0.1', 'srcaddr must be an IP address', 8, 9],
    ['srcaddr:10.0.0.0/8x', 'prefix length must be 0-32 for IPv4', 8, 11],
    ['srcaddr:10.0.0/8', 'srcaddr must be an IP address', 8, 8],
    ['srcaddr:"x\' OR 1=1 --"', 'srcaddr must be an IP address', 8, 14],
    ['srcaddr:eni*', "'eni*' is not the start of an address", 8, 4],
    ['action:DROP', 'action must be ACCEPT or REJECT', 7, 4],
    ['log-status:FAIL', 'log-status must be OK or NODATA or SKIPDATA', 11, 4],
    ['version:x2', 'version must be digits', 8, 2],
    ['topic:[a TO b]', 'only for number and address fields, not topic', 6, 8],
    ['action:>ACCEPT', 'only for number and address fields, not action', 7, 7],
    ['srcport:[10 TO 5]', 'empty range', 8, 9],
    ['srcport:{5 TO 5]', 'empty range', 8, 8],
    ['srcport:[1 TO]', "expected a space and a bound after 'TO'", 13, 1],
    ['srcport:[1 TO ]', 'expected a range bound', 14, 1],
    ['srcport:[1]', "expected ' TO ' in the range", 10, 1],
    ['srcport:[1 XX 5]', "expected 'TO' in the range", 11, 1],
    ['srcport:[1 TO 5', "expected ']' or '}'", 15, 0],
    ['srcport:[1 TO 5*]', 'a wildcard cannot be a range bound', 14, 2],
    ['srcaddr:[10.0.0.0/8 TO 10.0.0.9]', 'must be an address, not a CIDR block', 9, 10],
    ['srcport:> 5', "expected a value right after 'srcport:>'", 9, 0],
    ['bytes:>10*', 'a wildcard cannot be compared', 7, 3],
    ['srcport:80*', 'a wildcard is not allowed on srcport', 8, 3],
    ['action:ACC*', 'a wildcard is not allowed on action', 7, 4],
    ['scraddr:10.0.0.1', "unknown field 'scraddr' (did you mean 'srcaddr'?)", 0, 7],
    ['a dst_port:80', "unknown field 'dst_port' (did you mean 'dstport'?)", 2, 8],
    ['log_status:OK', "(did you mean 'log-status'?)", 0, 10],
    ['proto:tcp', "unknown field 'proto' (did you mean 'protocol'?)", 0, 5],
    ['zzz:1', "unknown field 'zzz'", 0, 3],
    ['vpc-id:vpc-1', "field 'vpc-id' is not searchable", 0, 6],
    [':x', "expected a field name before ':'", 0, 1],
    ['srcport:', "expected a value after 'srcport:'", 8, 0],
    ['srcport: 80', "expected a value after 'srcport:'", 8, 0],
    ['srcport:(80 OR 443)', 'write (srcport:a OR srcport:b)', 8, 1],
    ['topic:""', 'empty value for topic', 6, 2],
    ['""', 'empty keyword', 0, 2],
    ['a*b', "'*' is only allowed at the end", 1, 1],
    ['topic:*x', "'*' is only allowed at the end", 6, 1],
    ['abc\\', "nothing to escape after '\\'", 3, 1],
    ['"abc', "missing closing '\"'", 0, 1],
    ['a "b', "missing closing '\"'", 2, 1],
    ['topic:"a"b', "expected a space before 'b'", 9, 1],
    ['abc"d"', 'quote the whole value', 3, 1],
    ['srcport:80(a)', "expected a space before '('", 10, 1],
    ['srcaddr：10.0.0.1', 'full-width colon', 7, 1],
    ['(a', "missing ')' for this '('", 0, 1],
    ['x (a OR (b)', "missing ')' for this '('", 2, 1],
    ['a)', "unexpected ')'", 1, 1],
    [')', "unexpected ')'", 0, 1],
    ['()', 'empty parentheses', 0, 2],
    ['a ( ) b', 'empty parentheses', 2, 3],
    ['a AND', "expected a term after 'AND'", 5, 0],
    ['a OR )', "expected a term after 'OR'", 5, 1],
    ['a AND OR b', "expected a term after 'AND'", 6, 2],
    ['AND a', "'AND' needs a term on its left", 0, 3],
    ['(|| a)', "'||' needs a term on its left", 1, 2],
    ['NOT', "expected a term after 'NOT'", 3, 0],
    ['a !', "expected a term after '!'", 3, 0],
  ];
  it.each(cases)('%s', (text, fragment, position, length) => {
    const r = parseQuery(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain(fragment);
    expect([r.error.position, r.error.length]).toEqual([position, length]);
  });

  it(`caps nesting at ${MAX_QUERY_DEPTH} levels`, () => {
    const ok = `${'('.repeat(MAX_QUERY_DEPTH)}a${')'.repeat(MAX_QUERY_DEPTH)}`;
    expect(parseQuery(ok).ok).toBe(true);
    const deep = `${'('.repeat(MAX_QUERY_DEPTH + 1)}a${')'.repeat(MAX_QUERY_DEPTH + 1)}`;
    expect(parseQuery(deep)).toEqual({
      ok: false,
      error: {
        message: expect.stringContaining('too deeply nested'),
        position: MAX_QUERY_DEPTH,
        length: 1,
      },
    });
    const nots = `${'NOT '.repeat(MAX_QUERY_DEPTH + 1)}a`;
    expect(parseQuery(nots)).toMatchObject({ ok: false, error: { position: MAX_QUERY_DEPTH * 4 } });
    const bangs = `${'!'.repeat(2000)}a`;
    expect(parseQuery(bangs)).toMatchObject({ ok: false, error: { position: MAX_QUERY_DEPTH } });
  });

  it(`caps the length at ${MAX_QUERY_LENGTH} characters`, () => {
    const long = `"${'a'.repeat(MAX_QUERY_LENGTH - 2)}"`;
    expect(parseQuery(long).ok).toBe(true);
    const tooLong = `${long}bb`;
    expect(parseQuery(tooLong)).toEqual({
      ok: false,
      error: {
        message: expect.stringContaining('too long'),
        position: MAX_QUERY_LENGTH,
        length: 2,
      },
    });
  });

  it(`caps the terms at ${MAX_QUERY_TERMS} and the wildcards at ${MAX_QUERY_WILDCARDS}, pointing at the first one over`, () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`).join(' OR ');
    expect(parseQuery(terms(MAX_QUERY_TERMS)).ok).toBe(true);
    const over = terms(MAX_QUERY_TERMS + 1);
    const at = over.lastIndexOf(`k${MAX_QUERY_TERMS}`);
    expect(parseQuery(over)).toEqual({
      ok: false,
      error: {
        message: `too many terms: at most ${MAX_QUERY_TERMS} in a query`,
        position: at,
        length: `k${MAX_QUERY_TERMS}`.length,
      },
    });
    // Terms inside parentheses and under NOT count the same; so do field terms.
    const nested = `dstport:1 AND (${terms(MAX_QUERY_TERMS - 1)}) AND NOT srcport:2`;
    expect(parseQuery(nested)).toMatchObject({
      ok: false,
      error: { position: nested.indexOf('srcport:2'), length: 9 },
    });

    const prefixes = (n: number) =>
      Array.from({ length: n }, (_, i) => (i % 2 ? `interface-id:eni-${i}*` : `a${i}*`)).join(' ');
    expect(parseQuery(prefixes(MAX_QUERY_WILDCARDS)).ok).toBe(true);
    const many = prefixes(MAX_QUERY_WILDCARDS + 1);
    const last = many.split(' ').at(-1)!;
    expect(parseQuery(many)).toEqual({
      ok: false,
      error: {
        message: `too many wildcards: at most ${MAX_QUERY_WILDCARDS} in a query`,
        position: many.length - last.length,
        length: last.length,
      },
    });
    // The attack the limit is for: 600 OR'ed prefixes (3 KB) are refused before anything runs.
    const attack = Array.from({ length: 600 }, () => 'a*').join(' OR ');
    expect(parseQuery(attack)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('too many wildcards') },
    });
  });

  it('never throws on junk', () => {
    const alphabet = [
      'a',
      ' ',
      ':',
      '"',
      '\\',
      '*',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      'TO',
      'AND',
      'OR',
      'NOT',
      '!',
      '>',
      '=',
      '1',
      'srcaddr:',
      'port:',
      '::',
      '/',
      '.',
    ];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      let text = '';
      for (let n = rand(12); n > 0; n--) text += alphabet[rand(alphabet.length)];
      const r = parseQuery(text);
      if (r.ok) {
        expect(parse(formatQuery(r.ast)), text).toEqual(r.ast);
        const { sql, params } = compileQuery(r.ast);
        expect(sql.split('?').length - 1).toBe(params.length);
      } else {
        expect(r.error.position).toBeGreaterThanOrEqual(0);
        expect(r.error.position + r.error.length).toBeLessThanOrEqual(text.length);
      }
    }
  });
});

// Every token the compiler may write: user text can only ever be a `?`.
const SQL_TOKEN = /\s+|\?|"[a-z_]+"|'\\'|[A-Za-z]+|[(),=<>]+/g;
const SQL_WORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'TRUE',
  'FALSE',
  'IS',
  'NULL',
  'IN',
  'BETWEEN',
  'CAST',
  'AS',
  'UHUGEINT',
  'LIKE',
  'ILIKE',
  'ESCAPE',
  'coalesce',
  'lower',
  'upper',
]);
const COLUMN_IDS = new Set(Object.values(RECORD_COLUMNS).map((c) => `"${c}"`));

function expectOnlyKnownSql(sql: string): void {
  const rest = sql.replace(SQL_TOKEN, (t) => {
    if (/^[A-Za-z]+$/.test(t)) expect(SQL_WORDS, `word ${t} in ${sql}`).toContain(t);
    if (t.startsWith('"')) expect(COLUMN_IDS, `identifier ${t}`).toContain(t);
    return '';
  });
  expect(rest, sql).toBe('');
}

describe('compileQuery', () => {
  it('compiles the empty query to TRUE', () => {
    expect(compileQuery(null)).toEqual({ sql: 'TRUE', params: [] });
  });

  const cases: Array<[string, string, Array<string | number>]> = [
    ['srcport:443', '"srcport" = ?', [443]],
    ['port:22', '("srcport" = ? OR "dstport" = ?)', [22, 22]],
    ['protocol:udp', '"protocol" = ?', [17]],
    ['action:reject', '"action" = ?', ['REJECT']],
    ['version:v1', 'upper("version") = ?', ['V1']],
    ['topic:flows', '"topic" = ?', ['flows']],
    ['start:[1 TO 2]', '"start_s" BETWEEN ? AND ?', [1, 2]],
    ['end:{1 TO 2]', '("end_s" > ? AND "end_s" <= ?)', [1, 2]],
    ['bytes:<100', '"bytes" < ?', [100]],
    ['ccnid:*', '"ccn_id" IS NOT NULL', []],
    ['srcaddr:10.0.0.1', '"src_ip" = CAST(? AS UHUGEINT)', [String(0xffff0a000001n)]],
    [
      'dstaddr:10.0.0.0/8',
      '"dst_ip" BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT)',
      [String(0xffff0a000000n), String(0xffff0affffffn)],
    ],
    [
      'addr:fe80::1',
      '("src_ip" = CAST(? AS UHUGEINT) OR "dst_ip" = CAST(? AS UHUGEINT))',
      [String(0xfe800000000000000000000000000001n), String(0xfe800000000000000000000000000001n)],
    ],
    ['srcaddr:10.0.*', `"srcaddr" LIKE ? ESCAPE '\\'`, ['10.0.%']],
    ['topic:a%_\\\\b*', `"topic" LIKE ? ESCAPE '\\'`, ['a\\%\\_\\\\b%']],
    ['NOT srcport:80', '(NOT coalesce("srcport" = ?, FALSE))', [80]],
    [
      'srcport:1 OR dstport:2 packets:3',
      '("srcport" = ? OR ("dstport" = ? AND "packets" = ?))',
      [1, 2, 3],
    ],
    ['*', 'TRUE', []],
  ];
  it.each(cases)('%s', (text, sql, params) => {
    expect(compileQuery(parse(text))).toEqual({ sql, params });
  });

  it('looks for a keyword in every text field, ignoring case', () => {
    const { sql, params } = compileQuery(parse('Scanner'));
    const columns = /^lower\(\?\) IN \((.*)\)$/.exec(sql)?.[1]?.split(', ');
    expect(new Set(columns)).toEqual(
      new Set(
        [
          'interface_id',
          'srcaddr',
          'dstaddr',
          'action',
          'log_status',
          'account_id',
          'ccn_id',
          'src_region',
          'dst_region',
          'region_id',
          'version',
        ].map((c) => `lower("${c}")`),
      ),
    );
    expect(params).toEqual(['Scanner']);
    const prefix = compileQuery(parse('eni-7*'));
    expect(prefix.params).toEqual(Array(11).fill('eni-7%'));
    expect(prefix.sql).toContain(`"ccn_id" ILIKE ? ESCAPE '\\'`);
  });

  const injections = [
    `srcaddr:"x' OR 1=1 --"`,
    `topic:"; DROP TABLE records"`,
    `topic:"x' OR '1'='1"`,
    `"'); DROP TABLE records; --"`,
    `stream:Robert'); DROP TABLE students;--`,
    `interface-id:"\\"; DELETE FROM records"*`,
    `topic:%' OR 1=1 --*`,
    `"1 OR 1=1" OR topic:"$1" OR topic:"?"`,
    `region-id:ap-guangzhou\\'*`,
  ];
  it.each(injections)('keeps user text out of the SQL: %s', (text) => {
    const r = parseQuery(text);
    if (!r.ok) {
      expect(r.error.message).not.toMatch(/sql|duckdb/i);
      return;
    }
    const { sql, params } = compileQuery(r.ast);
    expectOnlyKnownSql(sql);
    expect(sql.split('?').length - 1).toBe(params.length);
    expect(params.length).toBeGreaterThan(0);
  });

  it('writes only known words, whitelisted columns and one placeholder per parameter', () => {
    const queries = [
      'srcaddr:10.0.0.0/8 AND NOT (action:REJECT OR log-status:NODATA) port:[1 TO 1024} protocol:tcp',
      'addr:2001:db8::/32 OR addr:10.0.* OR 2001:db8::1 OR 10.0.0.0/8 OR version:2* OR "x y" OR x*',
      'srcaddr:[10.0.0.1 TO 10.0.0.9] dstaddr:>fe80:: bytes:>=5 packets:* NOT topic:*',
      'stream:a interface-id:b account-id:c ccnid:d srcregionid:e dstregionid:f region-id:g start:1 end:2',
    ];
    for (const q of queries) {
      const { sql, params } = compileQuery(parse(q));
      expectOnlyKnownSql(sql);
      expect(sql.split('?').length - 1).toBe(params.length);
    }
  });

  it('uses the column map it is given, and refuses identifiers that are not plain', () => {
    const aliased: ColumnMap = Object.fromEntries(
      Object.entries(RECORD_COLUMNS).map(([k, v]) => [k, `r.${v}`]),
    ) as ColumnMap;
    expect(compileQuery(parse('srcport:1'), aliased).sql).toBe('"r"."srcport" = ?');
    const bad = { ...RECORD_COLUMNS, srcport: 'srcport; DROP TABLE x' };
    expect(() => compileQuery(parse('srcport:1'), bad)).toThrow(/not a plain SQL identifier/);
  });

  it('refuses ASTs that parseQuery cannot produce instead of guessing', () => {
    const bad = [
      { type: 'term', field: 'constructor', op: 'eq', value: 1 },
      { type: 'term', field: 'srcaddr', op: 'eq', value: "1' OR 1=1" },
      { type: 'term', field: 'srcport', op: 'eq', value: '80 OR 1=1' },
      {
        type: 'term',
        field: 'topic',
        op: 'range',
        lo: 'a',
        hi: 'b',
        loInclusive: true,
        hiInclusive: true,
      },
      { type: 'term', field: 'srcport', op: 'cidr', value: '10.0.0.0/8' },
      { type: 'drop' },
    ] as unknown as QueryNode[];
    for (const ast of bad)
      expect(() => compileQuery(ast), JSON.stringify(ast)).toThrow(/query AST/);
  });
});

describe('query builders', () => {
  it('quotes values only when needed', () => {
    expect(quoteValue('10.0.1.5')).toBe('10.0.1.5');
    expect(quoteValue('2001:db8::1')).toBe('2001:db8::1');
    expect(quoteValue(443)).toBe('443');
    expect(quoteValue('ap-guangzhou')).toBe('ap-guangzhou');
    expect(quoteValue('two words')).toBe('"two words"');
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteValue('eni-*')).toBe('"eni-*"');
    expect(quoteValue('>5')).toBe('">5"');
    expect(quoteValue('')).toBe('""');
  });

  it('builds a drill-down filter from record values', () => {
    expect(
      buildFilter({
        srcaddr: '10.0.1.5',
        srcport: 443,
        dstaddr: '2001:DB8:0::1',
        dstport: 51234,
        protocol: 6,
        action: 'reject',
        srcregionid: 'ap-guangzhou',
        dstregionid: null,
        ccnid: undefined,
      }),
    ).toBe(
      'srcaddr:10.0.1.5 AND srcport:443 AND dstaddr:2001:db8::1 AND dstport:51234 AND protocol:tcp AND action:REJECT AND srcregionid:ap-guangzhou',
    );
    expect(buildFilter({})).toBe('');
    expect(buildFilter({ topic: 'my topic' })).toBe('topic:"my topic"');
    // An invalid value stays as typed, so the query bar shows the error.
    expect(buildFilter({ srcport: 'http' })).toBe('srcport:http');
  });

  it('joins parts with and / or / not, adding parentheses only where needed', () => {
    expect(and('a OR b', 'c', null, undefined, false, '  ')).toBe('(a OR b) AND c');
    expect(and('a b', 'c')).toBe('a b AND c');
    expect(and('x')).toBe('x');
    expect(and()).toBe('');
    expect(and('(a', 'b')).toBe('((a) AND b');
    expect(or('a b', 'c')).toBe('a b OR c');
    expect(not('a OR b')).toBe('NOT (a OR b)');
    expect(not('srcport:80')).toBe('NOT srcport:80');
    expect(not(null)).toBe('');
    const q = and(
      buildFilter({ srcaddr: '10.0.0.1' }),
      or('port:22', 'port:3389'),
      not('action:ACCEPT'),
    );
    expect(q).toBe('srcaddr:10.0.0.1 AND (port:22 OR port:3389) AND NOT action:ACCEPT');
    expect(parseQuery(q).ok).toBe(true);
  });
});
