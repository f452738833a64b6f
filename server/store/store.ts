// The store: where raw records, window aggregates, the catalog, rejected lines and source offsets
// are kept, behind one interface (contract.ts) that every backend implements. The backend is
// chosen by the configuration; DuckDB (embedded, in a worker thread) is the default.
import type { StoreConfig } from './config.ts';
import type { Store, StoreDeps } from './contract.ts';
import { openClickHouseStore } from './clickhouse/store.ts';
import { openDuckDbStore } from './duckdb/store.ts';

export { defaultStoreConfig, StoreConfigError, type StoreConfig } from './config.ts';
export { StoreError, type ReadOptions, type Store, type StoreDeps } from './contract.ts';
export type * from './types.ts';
export { rollupSafe, ROLLUP_FIELDS, type Filter } from './filter.ts';

/** Opens the configured store: ClickHouse for a `clickhouse://` url, else the DuckDB file. */
export function openStore(config: StoreConfig, deps: StoreDeps): Promise<Store> {
  return config.url ? openClickHouseStore(config.url, config, deps) : openDuckDbStore(config, deps);
}
