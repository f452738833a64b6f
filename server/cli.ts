// Command dispatch for bin/flowdeck.js: `serve` (default) runs the app, `parse` runs the parser CLI.
import { USAGE } from './config.ts';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'parse') {
    const { runParse } = await import('./cli/parse-command.ts');
    return runParse(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
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
