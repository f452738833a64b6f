// The in-memory matcher's fast paths (the live tail and alert measures run it per record): an IPv4
// block compared as numbers must agree with the 128-bit comparison on every address form.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../shared/query/index.ts';
import { matchQuery, readsContext, type MatchRecord } from '../../shared/query/match.ts';

const rec = (srcaddr: string | null, dstaddr: string | null = '192.0.2.1') =>
  ({ srcaddr, dstaddr, topicId: 't', streamId: 's' }) as unknown as MatchRecord;
const matches = (q: string, r: MatchRecord) => {
  const p = parseQuery(q);
  if (!p.ok) throw new Error(p.error.message);
  return matchQuery(p.ast)(r);
};

describe('query matcher', () => {
  it('tests IPv4 blocks on every address form', () => {
    const q = 'srcaddr:10.0.0.0/8';
    expect(matches(q, rec('10.1.2.3'))).toBe(true);
    expect(matches(q, rec('10.255.255.255'))).toBe(true);
    expect(matches(q, rec('11.0.0.0'))).toBe(false);
    expect(matches(q, rec('9.255.255.255'))).toBe(false);
    // The same address written IPv4-mapped is in the block; a plain IPv6 one is not.
    expect(matches(q, rec('::ffff:10.1.2.3'))).toBe(true);
    expect(matches(q, rec('2001:db8::1'))).toBe(false);
    // Not an address (a leading zero), or none: no match.
    expect(matches(q, rec('010.1.2.3'))).toBe(false);
    expect(matches(q, rec(null))).toBe(false);
    // A bare block as a keyword matches either side.
    expect(matches('192.0.2.0/24', rec('10.0.0.1'))).toBe(true);
    expect(matches('NOT 192.0.2.0/24', rec('10.0.0.1'))).toBe(false);
    // An IPv6 block still takes the 128-bit way.
    expect(matches('srcaddr:2001:db8::/32', rec('2001:db8::1'))).toBe(true);
    expect(matches('srcaddr:2001:db8::/32', rec('10.1.2.3'))).toBe(false);
  });
  it('ands and ors any number of parts', () => {
    const r = rec('10.1.2.3');
    expect(matches('srcaddr:10.0.0.0/8 AND dstaddr:192.0.2.1', r)).toBe(true);
    expect(matches('srcaddr:10.0.0.0/8 AND dstaddr:192.0.2.1 AND srcaddr:11.0.0.0/8', r)).toBe(
      false,
    );
    expect(matches('srcaddr:11.0.0.0/8 OR dstaddr:192.0.2.2 OR dstaddr:192.0.2.1', r)).toBe(true);
  });
  it('says whether a query reads the topic or the stream', () => {
    const ast = (q: string) => {
      const p = parseQuery(q);
      if (!p.ok) throw new Error(p.error.message);
      return p.ast;
    };
    expect(readsContext(ast('action:REJECT AND dstport:22'))).toBe(false);
    expect(readsContext(null)).toBe(false);
    expect(readsContext(ast('stream:eni-1 AND dstport:22'))).toBe(true);
    expect(readsContext(ast('NOT topic:t'))).toBe(true);
  });
});
