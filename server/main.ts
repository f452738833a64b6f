// Entry point of `flowdeck serve`: read the config, create the app, listen, stop cleanly on signals.
// Logs are structured (pino, one JSON object a line on stdout) at --log-level.
import { pino } from 'pino';
import { createApp } from './app.ts';
import { scaledClock } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';

export async function serve(argv: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flowdeck: ${err.message}\n(see flowdeck --help)\n`);
      return 1;
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { app: 'flowdeck', pid: process.pid } });
  const log = {
    info: (m: string) => logger.info(m),
    warn: (m: string) => logger.warn(m),
    debug: (m: string) => logger.debug(m),
  };
  const clock = scaledClock(config.simulator.speed);
  const app = await createApp(config, { clock, log });
  const { url } = await app.listen();
  const sim = config.simulator;
  logger.info(
    {
      url,
      dataDir: config.dataDir,
      simulator: sim.enabled
        ? { seed: sim.seed, speed: sim.speed, publishDelaySec: sim.publishDelaySec }
        : null,
      watches: config.watches,
    },
    `flowdeck listening on ${url}`,
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  logger.info('flowdeck: shutting down');
  await app.close();
  logger.flush();
  return 0;
}
