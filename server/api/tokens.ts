// Access tokens: who may push records (ingest), manage flow logs (admin) and, when a viewer token
// is set, read anything. Tokens not given on the command line are generated at the first start and
// kept in DATA/tokens.json, readable only by its owner. Compared in constant time; a client that
// keeps failing is slowed down (429 with Retry-After) before its next attempt is even checked.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a request may do: admin may do everything, ingest only push, viewer only read. */
export type Role = 'admin' | 'ingest' | 'viewer';

export interface TokenConfig {
  /** From the command line / environment; null: generated and kept in the data directory. */
  ingest: string | null;
  admin: string | null;
  /** Null: reading needs no token. */
  viewer: string | null;
}

export interface Tokens {
  ingest: string;
  admin: string;
  viewer: string | null;
}

export const TOKENS_FILE = 'tokens.json';

const generate = (kind: string) => `fd${kind}_${randomBytes(24).toString('base64url')}`;

/**
 * The tokens in effect: given ones win; missing ones come from DATA/tokens.json, or are generated
 * into it (mode 0600). `generated` lists what was generated now (to print once).
 */
export function loadTokens(
  dataDir: string,
  given: TokenConfig,
): { tokens: Tokens; generated: Array<'ingest' | 'admin'>; file: string } {
  const file = join(dataDir, TOKENS_FILE);
  let kept: Partial<Record<'ingest' | 'admin', string>> = {};
  if (existsSync(file)) {
    try {
      kept = JSON.parse(readFileSync(file, 'utf8')) as typeof kept;
    } catch {
      throw new Error(`${file} is not readable JSON: remove it to generate new tokens`);
    }
  }
  const generated: Array<'ingest' | 'admin'> = [];
  const pick = (kind: 'ingest' | 'admin', letter: string): string => {
    const g = given[kind];
    if (g) return g;
    const k = kept[kind];
    if (typeof k === 'string' && k.length >= 16) return k;
    generated.push(kind);
    return (kept[kind] = generate(letter));
  };
  const tokens: Tokens = {
    ingest: pick('ingest', 'i'),
    admin: pick('admin', 'a'),
    viewer: given.viewer,
  };
  if (generated.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { tokens, generated, file };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The role a presented token grants, compared in constant time; null when it matches none. */
export function roleOf(tokens: Tokens, presented: string | null | undefined): Role | null {
  if (!presented) return null;
  const d = digest(presented);
  const match = (t: string | null) => t !== null && timingSafeEqual(d, digest(t));
  // Every comparison runs, so the time does not tell which token came close.
  const admin = match(tokens.admin);
  const ingest = match(tokens.ingest);
  const viewer = match(tokens.viewer);
  return admin ? 'admin' : ingest ? 'ingest' : viewer ? 'viewer' : null;
}

export interface ThrottleConfig {
  /** Failures before a client is slowed down. */
  freeFailures: number;
  /** First wait after that, ms; doubles with every further failure... */
  baseDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** Clients remembered at most (the oldest are forgotten). */
  maxClients: number;
  /** A client's failures are forgotten after this long without one, ms. */
  forgetAfterMs: number;
}

export const defaultThrottleConfig: ThrottleConfig = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  maxClients: 10_000,
  forgetAfterMs: 15 * 60_000,
};

/** Failed attempts per client (by address), bounded; a blocked client waits before its next try. */
export function createFailureThrottle(config: ThrottleConfig, now: () => number) {
  const clients = new Map<string, { failures: number; last: number; until: number }>();
  let blocked = 0;
  return {
    /** Ms the client must still wait before a token of its is checked; 0 when it may try. */
    waitMs(client: string): number {
      const c = clients.get(client);
      if (!c) return 0;
      const t = now();
      if (t - c.last > config.forgetAfterMs) {
        clients.delete(client);
        return 0;
      }
      return Math.max(0, c.until - t);
    },
    failed(client: string): void {
      const t = now();
      let c = clients.get(client);
      if (!c || t - c.last > config.forgetAfterMs) c = { failures: 0, last: t, until: 0 };
      clients.delete(client);
      if (clients.size >= config.maxClients) clients.delete(clients.keys().next().value as string);
      c.failures++;
      c.last = t;
      const over = c.failures - config.freeFailures;
      if (over >= 0) {
        c.until = t + Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** over);
        blocked++;
      }
      clients.set(client, c);
    },
    succeeded(client: string): void {
      clients.delete(client);
    },
    metrics: () => ({ clients: clients.size, blocked }),
  };
}

export type FailureThrottle = ReturnType<typeof createFailureThrottle>;
