import { describe, expect, it } from 'vitest';
import { rollupSafe } from '../../server/store/filter.ts';
import { parseQuery } from '../../shared/query/index.ts';

function ast(text: string) {
  const p = parseQuery(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  return p.ast;
}

describe('rollupSafe: what the rollups can answer, decided on the query AST', () => {
  it.each([
    ['', true],
    ['action:REJECT AND protocol:6', true],
    ['NOT action:ACCEPT', true],
    ['topic:topic-eni-prod OR stream:eni-7m2k9q4d', true],
    ['srcregionid:ap-tokyo AND NOT (log-status:NODATA OR version:2)', true],
    ['ap-tokyo', true], // a word that is not an address: the rollup keeps those texts
    ['*', true],
    ['dstport:443', false],
    ['port:22', false],
    ['srcaddr:10.0.0.1', false],
    ['addr:10.0.0.0/8', false],
    ['bytes:>1000', false],
    ['start:*', false],
    ['10.0.0.1', false], // an address word is looked for in the address columns
    ['10.0.0.0/8', false],
    ['eni-7*', false], // a prefix can match the start of an address
    ['action:REJECT OR dstport:22', false],
    ['NOT (action:REJECT AND packets:<5)', false],
  ])('%s → %s', (text, safe) => {
    expect(rollupSafe(ast(text))).toBe(safe);
  });
});
