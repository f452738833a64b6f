// Which store the server keeps records in: the embedded DuckDB file by default, ClickHouse with
// `--store clickhouse://HOST:PORT/DB` (or FLOWDECK_STORE); a wrong URL is refused with why.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { parseClickHouseUrl } from '../../server/store/clickhouse/schema.ts';

describe('--store', () => {
  it('defaults to DuckDB and takes a ClickHouse URL from the flag or FLOWDECK_STORE', () => {
    expect(loadConfig([], {}).store).toBeNull();
    expect(loadConfig(['--store', 'duckdb'], {}).store).toBeNull();
    expect(loadConfig(['--store', 'clickhouse://127.0.0.1:8123/flows'], {}).store).toBe(
      'clickhouse://127.0.0.1:8123/flows',
    );
    expect(loadConfig([], { FLOWDECK_STORE: 'clickhouse://ch.example/f' }).store).toBe(
      'clickhouse://ch.example/f',
    );
  });

  it('refuses what is not a clickhouse:// URL with a database name', () => {
    for (const bad of ['http://127.0.0.1:8123/x', 'clickhouse://', 'clickhouse://h:1/a-b;DROP'])
      expect(() => loadConfig(['--store', bad], {}), bad).toThrow(/--store \(FLOWDECK_STORE\)/);
  });

  it('splits the URL into the HTTP address and the database (default flowdeck, port 8123)', () => {
    expect(parseClickHouseUrl('clickhouse://10.0.0.5:9123/netflows')).toEqual({
      httpUrl: 'http://10.0.0.5:9123',
      database: 'netflows',
    });
    expect(parseClickHouseUrl('clickhouse://ch.internal')).toEqual({
      httpUrl: 'http://ch.internal:8123',
      database: 'flowdeck',
    });
    expect(parseClickHouseUrl('clickhouse://flow%40deck:s3%2Fcret@ch.internal:8123/f')).toEqual({
      httpUrl: 'http://ch.internal:8123',
      database: 'f',
      username: 'flow@deck',
      password: 's3/cret',
    });
  });
});

describe('--role and --redis', () => {
  const ch = ['--store', 'clickhouse://127.0.0.1:8123/flows'];
  it('runs everything in one process by default, without Redis', () => {
    const c = loadConfig([], {});
    expect([c.role, c.redis]).toEqual(['all', null]);
  });

  it('takes a collector or a front end with ClickHouse and Redis, from flags or environment', () => {
    const c = loadConfig([...ch, '--role', 'collector', '--redis', 'redis://127.0.0.1:6379'], {});
    expect([c.role, c.redis]).toEqual(['collector', 'redis://127.0.0.1:6379']);
    const f = loadConfig(ch, { FLOWDECK_ROLE: 'frontend', FLOWDECK_REDIS: 'redis://r.internal' });
    expect([f.role, f.redis]).toEqual(['frontend', 'redis://r.internal']);
  });

  it('says why a split role cannot run alone, and refuses unknown roles and URLs', () => {
    expect(() => loadConfig(['--role', 'frontend'], {})).toThrow(
      /--role frontend needs --store clickhouse:\/\/[\s\S]*--role frontend needs --redis/,
    );
    expect(() => loadConfig(['--role', 'worker'], {})).toThrow(
      /--role \(FLOWDECK_ROLE\) must be one of all, collector, frontend/,
    );
    expect(() => loadConfig(['--redis', 'http://127.0.0.1:6379'], {})).toThrow(
      /--redis \(FLOWDECK_REDIS\)/,
    );
  });
});

describe('ClickHouse shards in the URL', () => {
  it('takes several hosts as the shards of a cluster (default flowdeck)', () => {
    expect(parseClickHouseUrl('clickhouse://ch1:8123,ch2:9000,ch3/flows')).toEqual({
      httpUrl: 'http://ch1:8123',
      database: 'flows',
      shards: {
        httpUrls: ['http://ch1:8123', 'http://ch2:9000', 'http://ch3:8123'],
        cluster: 'flowdeck',
      },
    });
    expect(
      parseClickHouseUrl('clickhouse://u:p@ch1,ch2/flows?cluster=noc_shards').shards?.cluster,
    ).toBe('noc_shards');
    expect(parseClickHouseUrl('clickhouse://ch1/flows').shards).toBeUndefined();
  });

  it('refuses a bad host, cluster name or parameter', () => {
    for (const bad of [
      'clickhouse://ch1,/f',
      'clickhouse://ch1,ch2/f?cluster=a;b',
      'clickhouse://ch1/f?user=x',
    ])
      expect(() => parseClickHouseUrl(bad), bad).toThrow();
  });
});

describe('--public-url', () => {
  it('takes an http(s) URL for the links of alert notices, and refuses anything else', () => {
    expect(loadConfig([], {}).publicUrl).toBeNull();
    expect(loadConfig(['--public-url', 'https://noc.example/'], {}).publicUrl).toBe(
      'https://noc.example',
    );
    expect(() => loadConfig(['--public-url', 'ftp://x'], {})).toThrow(/--public-url/);
  });
});
