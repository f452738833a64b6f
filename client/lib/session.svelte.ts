// Who the browser is to the server: no token, a viewer, an admin (GET /api/session). A token is
// given once (POST /api/session) and kept by the browser in an HttpOnly cookie that every request
// and the socket carry; scripts never see it again. Management actions show for admins only.
import type { Reply } from '../../shared/reply.ts';
import { getJson, sendJson, type FetchLike } from './api.ts';

export type Role = 'admin' | 'ingest' | 'viewer';

interface SessionInfo {
  role: Role | null;
  viewerTokenRequired: boolean;
}

const isInfo = (v: unknown): v is SessionInfo =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as SessionInfo).viewerTokenRequired === 'boolean' &&
  ((v as SessionInfo).role === null || typeof (v as SessionInfo).role === 'string');

export class Session {
  role = $state<Role | null>(null);
  viewerTokenRequired = $state(false);
  /** True once the server said who we are. */
  loaded = $state(false);
  /** Why the server could not be asked (the page can still try). */
  error = $state<string | null>(null);

  /** Reading needs a token the browser does not have: the app asks for it first. */
  needsToken = $derived(this.loaded && this.viewerTokenRequired && this.role === null);
  /** Management actions (create, change, delete) are shown. */
  canManage = $derived(this.role === 'admin');

  #fetch: FetchLike | undefined;

  constructor(fetchFn?: FetchLike) {
    this.#fetch = fetchFn;
  }

  async load(): Promise<void> {
    const r = await getJson<SessionInfo>('/api/session', {}, undefined, {
      check: isInfo,
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
    this.#take(r);
  }

  /** Gives a token; resolves to null when it was taken, else the reason it was not. */
  async login(token: string): Promise<string | null> {
    const r = await sendJson<SessionInfo>(
      'POST',
      '/api/session',
      { token: token.trim() },
      {
        check: isInfo,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      },
    );
    if (!r.ok) return r.error.message;
    this.#take(r);
    return null;
  }

  async logout(): Promise<void> {
    this.#take(
      await sendJson<SessionInfo>('DELETE', '/api/session', undefined, {
        check: isInfo,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      }),
    );
  }

  #take(r: Reply<SessionInfo>): void {
    if (!r.ok) {
      this.error = r.error.message;
      this.loaded = true;
      return;
    }
    this.error = null;
    this.role = r.data.role;
    this.viewerTokenRequired = r.data.viewerTokenRequired;
    this.loaded = true;
  }
}
