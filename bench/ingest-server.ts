// Child process of the ingest benchmark: the real app (no simulator) on a loopback port with a
// data directory of its own and the parent's ingest token (`--token T`), optionally watching a
// directory for a topic (`--watch DIR:TOPIC`). It answers the parent's "counters" message with the
// ingest counters and its CPU time (all threads), and removes its data on "stop".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';

const arg = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : null;
const watch = arg('--watch');
const dataDir = await mkdtemp(join(tmpdir(), 'flowdeck-bench-ingest-'));
const config = loadConfig(
  [
    ...['--port', '0', '--host', '127.0.0.1', '--no-simulator', '--data', dataDir],
    ...['--ingest-token', arg('--token')!, '--admin-token', 'bench-admin-token-00001'],
    ...(watch ? ['--watch', watch] : []),
  ],
  {},
);
const app = await createApp(config, { log: { info: () => {}, warn: () => {} } });
const { port } = await app.listen();

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'counters') {
    const cpu = process.cpuUsage();
    process.send!({
      type: 'counters',
      counters: app.ingest.counters(),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  } else if (msg.type === 'stop') {
    void app
      .close()
      .then(() => rm(dataDir, { recursive: true, force: true }))
      .then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', port });
