#!/usr/bin/env node
// flowdeck command line: `flowdeck serve` (the default) or `flowdeck parse`. TypeScript runs through tsx.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
