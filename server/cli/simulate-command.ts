// `flowdeck simulate`: the built-in simulator's lines on stdout, as the service would publish them
// (the default catalog's flow logs), so that `flowdeck simulate | flowdeck ingest ... -` feeds a
// server like a shipper would. Runs until stopped; waits when stdout does (a slow pipe).
import { parseArgs } from 'node:util';
import { createCatalog } from '../catalog/catalog.ts';
import { defaultLogsets } from '../catalog/default-catalog.ts';
import { scaledClock } from '../clock.ts';
import { createSimulator } from '../ingest/simulator.ts';

export const SIMULATE_USAGE = `Usage: flowdeck simulate [options]

Prints the simulator's flow-log lines on stdout, window after window, as the flow-log service
publishes them: the last --backfill minutes at once, then each capture window when it is due.

  --seed N             the same seed gives the same traffic (default: random)
  --speed X            time acceleration, 1 = real time (default 1)
  --topic ID           only the log streams of this topic of the default catalog
  --backfill MIN       minutes of history printed first (default 60)
  --publish-delay S    seconds from a window's end to its lines (default 10)
  --jitter S           per-stream spread of publication, seconds (default 20)
  -h, --help           print this help
`;

export interface SimulateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Resolves when the command should stop (SIGINT, SIGTERM). */
  stopped: Promise<void>;
}

export async function runSimulate(argv: string[], io: SimulateIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        seed: { type: 'string' },
        speed: { type: 'string' },
        topic: { type: 'string' },
        backfill: { type: 'string' },
        'publish-delay': { type: 'string' },
        jitter: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.stderr.write(`flowdeck simulate: ${(err as Error).message}\n`);
    return 1;
  }
  if (values.help) {
    io.stdout.write(SIMULATE_USAGE);
    return 0;
  }
  const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
  const speed = num(values.speed, 1);
  const seed = num(values.seed, Math.floor(Math.random() * 2 ** 31));
  const logsets = defaultLogsets(Date.now());
  if (values.topic !== undefined) {
    const ids = logsets.flatMap((l) => l.topics.map((t) => t.id));
    if (!ids.includes(values.topic)) {
      io.stderr.write(
        `flowdeck simulate: no topic ${JSON.stringify(values.topic)} in the default catalog (${ids.join(', ')})\n`,
      );
      return 1;
    }
    for (const l of logsets) l.topics = l.topics.filter((t) => t.id === values.topic);
  }
  let blocked = false;
  let closed = false;
  let sim;
  try {
    if (!(speed > 0 && speed <= 3600)) throw new Error('--speed must be in (0, 3600]');
    sim = createSimulator(
      {
        seed,
        backfillMinutes: num(values.backfill, 60),
        publishDelaySec: num(values['publish-delay'], 10),
        jitterSec: num(values.jitter, 20),
        tickMs: 250,
      },
      {
        catalog: createCatalog(logsets),
        clock: scaledClock(speed),
        // A full pipe says no: the window is offered again on a later tick.
        sink: (batch) => {
          if (closed) return false;
          return io.stdout.write(`${(batch.lines as string[]).join('\n')}\n`) || true;
        },
        busy: () => blocked,
      },
    );
  } catch (err) {
    io.stderr.write(`flowdeck simulate: ${(err as Error).message}\n`);
    return 1;
  }
  const stdout = io.stdout as NodeJS.WritableStream & { writableNeedDrain?: boolean };
  const watch = setInterval(() => {
    blocked = stdout.writableNeedDrain === true;
  }, 50);
  io.stdout.on('error', () => {
    closed = true; // EPIPE: the reader went away
  });
  sim.start();
  let check: ReturnType<typeof setInterval> | undefined;
  await Promise.race([
    io.stopped,
    new Promise<void>((resolve) => {
      check = setInterval(() => closed && resolve(), 100);
    }),
  ]);
  clearInterval(check);
  clearInterval(watch);
  sim.stop();
  return 0;
}
