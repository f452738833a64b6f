// Who may do what, checked once at the edge for every request: each route says what it needs in
// its config (`access`), the default is "read" for GET /api/... and "admin" for any other method
// on /api/...; pages and static files are open (so the UI can ask for a token). A token comes as
// `Authorization: Bearer ...` or, for the browser, in an HttpOnly cookie set by POST /api/session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { fail, ok } from '../../shared/reply.ts';
import { roleOf, type FailureThrottle, type Role, type Tokens } from './tokens.ts';

/** What a route needs: nothing, a viewer token when one is set, the ingest token, the admin token. */
export type Access = 'open' | 'read' | 'ingest' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The role the request's token grants (null: no token, or none needed and none given). */
    role: Role | null;
  }
}

export const SESSION_COOKIE = 'flowdeck_token';

/** What GET /api/session answers: the caller's role and whether reading needs a token. */
export interface SessionInfo {
  role: Role | null;
  viewerTokenRequired: boolean;
}

/** Whether `role` may do what `access` needs. */
export function allows(role: Role | null, access: Access, viewerRequired: boolean): boolean {
  switch (access) {
    case 'open':
      return true;
    case 'read':
      return !viewerRequired || role !== null;
    case 'ingest':
      return role === 'ingest' || role === 'admin';
    case 'admin':
      return role === 'admin';
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The token a request presents: the Authorization header first, then the session cookie. */
export function presentedToken(headers: {
  authorization?: string | undefined;
  cookie?: string | undefined;
}): string | null {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : null;
  }
  return cookieValue(headers.cookie, SESSION_COOKIE);
}

function defaultAccess(req: FastifyRequest): Access {
  const path = req.url.split('?')[0] ?? '';
  const api = path.startsWith('/api/') || path === '/metrics';
  if (!api) return 'open';
  return req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'admin';
}

export interface AuthDeps {
  tokens: Tokens;
  throttle: FailureThrottle;
  /** Told of each refusal, for the metrics. */
  onRefused?: (status: number, access: Access) => void;
}

/** The role of a socket.io handshake (auth.token, or the session cookie); undefined: refused. */
export function socketRole(
  deps: AuthDeps,
  handshake: {
    auth?: Record<string, unknown>;
    headers: Record<string, string | string[] | undefined>;
    address: string;
  },
): { role: Role | null } | { error: string } {
  const fromAuth = typeof handshake.auth?.token === 'string' ? handshake.auth.token : null;
  const cookie = handshake.headers.cookie;
  const presented =
    fromAuth ?? presentedToken({ cookie: typeof cookie === 'string' ? cookie : undefined });
  const viewerRequired = deps.tokens.viewer !== null;
  if (presented === null) return viewerRequired ? { error: 'unauthorized' } : { role: null };
  if (deps.throttle.waitMs(handshake.address) > 0) return { error: 'too_many_attempts' };
  const role = roleOf(deps.tokens, presented);
  if (role === null) {
    deps.throttle.failed(handshake.address);
    return viewerRequired ? { error: 'unauthorized' } : { role: null };
  }
  deps.throttle.succeeded(handshake.address);
  return { role };
}

const sessionBody = z.object({ token: z.string().min(1).max(512) }).strict();

export function registerAuth(app: FastifyInstance, deps: AuthDeps) {
  const { tokens, throttle } = deps;
  const viewerRequired = tokens.viewer !== null;
  app.decorateRequest('role', null);

  const refuse = (
    reply: FastifyReply,
    status: number,
    access: Access,
    code: string,
    message: string,
  ) => {
    deps.onRefused?.(status, access);
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="flowdeck"');
    return reply.code(status).send(fail(code, message));
  };

  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.access ?? defaultAccess(req);
    const presented = presentedToken(req.headers);
    if (presented !== null) {
      const wait = throttle.waitMs(req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        return refuse(
          reply,
          429,
          access,
          'too_many_attempts',
          `too many wrong tokens from this address: try again in ${Math.ceil(wait / 1000)} s`,
        );
      }
      const role = roleOf(tokens, presented);
      if (role === null) throttle.failed(req.ip);
      else throttle.succeeded(req.ip);
      req.role = role;
    }
    if (allows(req.role, access, viewerRequired)) return;
    const need = access === 'read' ? 'a viewer' : access === 'ingest' ? 'the ingest' : 'the admin';
    if (req.role === null) {
      return refuse(
        reply,
        401,
        access,
        'unauthorized',
        presented === null
          ? `this needs ${need} token: send Authorization: Bearer <token>`
          : `the token is not valid (this needs ${need} token)`,
      );
    }
    return refuse(
      reply,
      403,
      access,
      'forbidden',
      `this needs ${need} token, not the ${req.role} token`,
    );
  });

  const info = (role: Role | null): SessionInfo => ({ role, viewerTokenRequired: viewerRequired });

  app.get('/api/session', { config: { access: 'open' } }, async (req) => ok(info(req.role)));

  // The browser's login: the token goes into an HttpOnly cookie, sent with every request
  // (downloads and the socket too) and never readable by scripts.
  app.post('/api/session', { config: { access: 'open' } }, async (req, reply) => {
    const body = sessionBody.safeParse(req.body);
    if (!body.success)
      return reply.code(400).send(fail('bad_request', 'send {"token": "<token>"}'));
    const wait = throttle.waitMs(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return reply
        .code(429)
        .send(
          fail(
            'too_many_attempts',
            `too many wrong tokens: try again in ${Math.ceil(wait / 1000)} s`,
          ),
        );
    }
    const role = roleOf(tokens, body.data.token);
    if (role === null) {
      throttle.failed(req.ip);
      return reply.code(401).send(fail('unauthorized', 'this token is not valid'));
    }
    throttle.succeeded(req.ip);
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${encodeURIComponent(body.data.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000${secure}`,
    );
    return ok(info(role));
  });

  app.delete('/api/session', { config: { access: 'open' } }, async (_req, reply) => {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return ok(info(null));
  });
}
