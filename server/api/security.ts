// Who may talk to the server from a browser, and what every answer says about itself.
//
// - Host: a request must name this server as localhost, an IP address, the machine's own name or a
//   host listed in --allowed-hosts (as Vite's dev server does), so a DNS-rebinding page that points
//   its own name at 127.0.0.1 gets nothing.
// - Origin: a request (or a websocket upgrade) that a page of another origin sends carries that
//   origin; it is refused unless --allowed-origins lists it. Clients that are not browsers send no
//   Origin and are judged by their token alone.
// - Headers: every answer carries X-Content-Type-Options: nosniff and a referrer policy; pages a
//   Content-Security-Policy allowing only the app's own scripts, and no framing.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { fail } from '../../shared/reply.ts';

export interface OriginPolicy {
  /** Other origins allowed (`https://noc.example:8443`). */
  allowedOrigins: readonly string[];
  /** Host names allowed besides localhost, IP literals and this machine's names; `.example.com` allows its subdomains. */
  allowedHosts: readonly string[];
  /** Take the host and scheme from X-Forwarded-Host / X-Forwarded-Proto. */
  trustProxy: boolean;
  /** This machine's names (default: os.hostname(), and its first label). */
  machineNames?: readonly string[];
}

/** The page's Content-Security-Policy: the app's own scripts, styles, images and socket only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte and ECharts set style attributes; no style sheet comes from elsewhere.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function machineNamesOf(policy: OriginPolicy): Set<string> {
  const names = policy.machineNames ?? [hostname(), hostname().split('.')[0] ?? ''];
  return new Set(names.map((n) => n.toLowerCase()).filter((n) => n !== ''));
}

/** The host name of a Host header value (no port, no brackets), lower-cased; null when malformed. */
export function hostNameOf(host: string | undefined): string | null {
  if (host === undefined || host === '') return null;
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 1 ? h.slice(1, end) : null;
  }
  const colon = h.indexOf(':');
  const name = colon >= 0 ? h.slice(0, colon) : h;
  return /^[a-z0-9._-]+$/.test(name) ? name : null;
}

export function createOriginCheck(policy: OriginPolicy) {
  const names = machineNamesOf(policy);
  const hosts = policy.allowedHosts.map((h) => h.toLowerCase());
  const origins = new Set(policy.allowedOrigins);

  function hostAllowed(host: string | undefined): boolean {
    const name = hostNameOf(host);
    if (name === null) return false;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    if (isIP(name) !== 0) return true;
    if (names.has(name)) return true;
    return hosts.some((h) =>
      h.startsWith('.') ? name === h.slice(1) || name.endsWith(h) : name === h,
    );
  }

  /** Null when allowed; else why not (for the 403 answer). */
  function check(req: {
    host: string | undefined;
    origin: string | undefined;
    scheme: string;
  }): { code: 'forbidden_host' | 'forbidden_origin'; message: string } | null {
    if (!hostAllowed(req.host))
      return {
        code: 'forbidden_host',
        message: `the host ${JSON.stringify((req.host ?? '').slice(0, 100))} is not this server's: add it with --allowed-hosts`,
      };
    const origin = req.origin;
    if (origin === undefined) return null;
    const own = `${req.scheme}://${(req.host ?? '').toLowerCase()}`;
    if (origin.toLowerCase() === own || origins.has(origin)) return null;
    return {
      code: 'forbidden_origin',
      message: `requests from pages of ${JSON.stringify(origin.slice(0, 100))} are refused: add the origin with --allowed-origins`,
    };
  }

  const first = (v: string | string[] | undefined) =>
    (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();

  /** The same check on a raw request (socket.io's handshake and websocket upgrade). */
  function checkRaw(req: IncomingMessage) {
    const h = req.headers;
    const forwardedHost = policy.trustProxy ? first(h['x-forwarded-host']) : undefined;
    const forwardedProto = policy.trustProxy ? first(h['x-forwarded-proto']) : undefined;
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    return check({
      host: forwardedHost ?? h.host,
      origin: first(h.origin),
      scheme: forwardedProto ?? (encrypted ? 'https' : 'http'),
    });
  }

  return { hostAllowed, check, checkRaw, allowedOrigins: [...origins] };
}

export type OriginCheck = ReturnType<typeof createOriginCheck>;

/** Host and origin checks, CORS for the allowed origins, and the security headers. */
export async function registerSecurity(app: FastifyInstance, originCheck: OriginCheck) {
  // CORS answers (and preflights) for the listed origins only; credentials, so the session cookie
  // and the Authorization header go along.
  await app.register(cors, {
    origin: originCheck.allowedOrigins.length > 0 ? originCheck.allowedOrigins : false,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'content-encoding', 'x-flowdeck-format'],
    maxAge: 600,
  });
  app.addHook('onRequest', async (req, reply) => {
    const refused = originCheck.check({
      host: req.host,
      origin: req.headers.origin,
      scheme: req.protocol,
    });
    if (refused) return reply.code(403).send(fail(refused.code, refused.message));
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });
}
