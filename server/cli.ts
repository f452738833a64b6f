// Command dispatch for bin/flowdeck.js: `serve` (default) runs the app; `parse`, `ingest`,
// `simulate` and `tokens` are the command-line tools.
import { USAGE } from './config.ts';

/** Resolves on SIGINT or SIGTERM. */
const signalled = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'parse') {
    const { runParse } = await import('./cli/parse-command.ts');
    return runParse(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  }
  if (command === 'ingest') {
    const { runIngest } = await import('./cli/ingest-command.ts');
    return runIngest(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
    });
  }
  if (command === 'simulate') {
    const { runSimulate } = await import('./cli/simulate-command.ts');
    return runSimulate(rest, {
      stdout: process.stdout,
      stderr: process.stderr,
      stopped: signalled(),
    });
  }
  if (command === 'tokens') {
    const { runTokens } = await import('./cli/tokens-command.ts');
    return runTokens(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const serveArgs = command === 'serve' ? rest : argv;
  if (command !== undefined && command !== 'serve' && !command.startsWith('-')) {
    process.stderr.write(`flowdeck: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 1;
  }
  if (serveArgs.includes('-h') || serveArgs.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { serve } = await import('./main.ts');
  return serve(serveArgs);
}
