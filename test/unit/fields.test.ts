// The field registry: complete for the eni and ccn formats, one FlowRecord key per core field.
import { describe, expect, it } from 'vitest';
import { CCN_FIELDS, ENI_FIELDS, FIELDS, protocolName } from '../../shared/fields.ts';

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
