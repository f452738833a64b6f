// flowdeck in a child process: `serve` for tests that kill it (-9) or restart it for real, and
// one-shot commands (parse, ingest) run to their exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_TOKENS } from './app.ts';

export interface ChildServer {
  child: ChildProcess;
  /** Everything the server wrote to stdout so far (pino JSON lines). */
  output(): string;
  /** Everything it wrote to stderr so far (an uncaught error's stack). */
  errors(): string;
  /** Its exit code or signal once it exited, else null (it runs). */
  exitedWith(): string | null;
  /** Resolves with the URL once the server listens; rejects if it exits first. */
  listening: Promise<string>;
  exited: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM, then waits for the exit (a clean stop). */
  stop(): Promise<number | null>;
}

/**
 * Spawns `flowdeck serve` on 127.0.0.1, a free port and the test tokens, with `args` after;
 * `nodeArgs` go to node itself (`--max-old-space-size=1536`, as `npm start` runs it).
 */
export function serveChild(args: string[], nodeArgs: string[] = []): ChildServer {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      resolve('bin/flowdeck.js'),
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--ingest-token',
      TEST_TOKENS.ingest,
      '--admin-token',
      TEST_TOKENS.admin,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let exitedWith: string | null = null;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code, signal) => {
      exitedWith = signal ?? String(code);
      done(code);
    }),
  );
  const listening = new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    void exited.then((code) =>
      reject(new Error(`the server exited (${code}) before listening: ${out}${err}`)),
    );
  });
  listening.catch(() => {});
  return {
    child,
    output: () => out,
    errors: () => err,
    exitedWith: () => exitedWith,
    listening,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `flowdeck ARGS` to its exit, with `stdin` on its standard input and `env` added. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [resolve('bin/flowdeck.js'), ...args], {
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
