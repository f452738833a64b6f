// `flowdeck tokens`: prints the tokens a server generated into its data directory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOKENS_FILE } from '../api/tokens.ts';

export const TOKENS_USAGE = `Usage: flowdeck tokens [--data DIR]

Prints the ingest and admin tokens kept in DIR/${TOKENS_FILE} (made at the first start of a server
that was not given --ingest-token / --admin-token). DIR defaults to FLOWDECK_DATA or ./data.
`;

export async function runTokens(
  argv: string[],
  io: {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    env: Record<string, string | undefined>;
  },
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (err) {
    io.stderr.write(`flowdeck tokens: ${(err as Error).message}\n`);
    return 1;
  }
  if (values.help) {
    io.stdout.write(TOKENS_USAGE);
    return 0;
  }
  const dir = values.data ?? io.env.FLOWDECK_DATA ?? './data';
  const file = join(dir, TOKENS_FILE);
  let kept: Record<string, string>;
  try {
    kept = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    io.stderr.write(
      `flowdeck tokens: cannot read ${file}: start the server once with --data ${dir} (it makes the tokens there)\n`,
    );
    return 1;
  }
  for (const kind of ['ingest', 'admin'])
    if (typeof kept[kind] === 'string') io.stdout.write(`${kind}\t${kept[kind]}\n`);
  return 0;
}
