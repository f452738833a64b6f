// Entry point of `flowdeck serve`: read the config, create the app, listen, stop cleanly on signals.
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
  const clock = scaledClock(config.simulator.speed);
  const app = await createApp(config, { clock });
  const { url } = await app.listen();
  const sim = config.simulator;
  console.log(
    `flowdeck listening on ${url}` +
      (sim.enabled
        ? ` (simulator: seed ${sim.seed}, speed ${sim.speed}x, publish delay ${sim.publishDelaySec}s)`
        : ' (simulator off)'),
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('flowdeck: shutting down');
  await app.close();
  return 0;
}
