#!/usr/bin/env node
// flowdeck command line: `flowdeck serve` (the default) or `flowdeck parse`. TypeScript runs through tsx.
// Each running DuckDB query holds a libuv pool thread; give the pool room for reads and files.
process.env.UV_THREADPOOL_SIZE ??= '8';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
