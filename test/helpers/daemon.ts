// A server binary (clickhouse-server, redis-server) as a child process of a test: its output kept
// for a failing test's message, its exit watched, and a stop that asks (SIGTERM), insists
// (SIGKILL after `graceMs`) and removes its temporary directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

export interface Daemon {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The exit code once it exited (null: by a signal); undefined while it runs. */
  exitCode(): number | null | undefined;
  stop(): Promise<void>;
}

export function spawnDaemon(
  command: string,
  args: string[],
  opts: { dir: string; cwd?: string; graceMs: number },
): Daemon {
  const child = spawn(command, args, {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let code: number | null | undefined;
  const exited = new Promise<void>((done) =>
    child.once('exit', (c) => {
      code = c;
      done();
    }),
  );
  return {
    child,
    output: () => output,
    exitCode: () => code,
    async stop() {
      if (code === undefined) {
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), opts.graceMs);
        await exited;
        clearTimeout(killed);
      }
      await rm(opts.dir, { recursive: true, force: true });
    },
  };
}
