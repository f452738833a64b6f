// Client routes: path -> route. Pure; the server serves the app for these paths.

export type Route =
  | { name: 'overview' }
  | { name: 'topic'; topicId: string }
  | { name: 'search' }
  | { name: 'not-found'; path: string };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'overview' };
  if (path === '/search') return { name: 'search' };
  const m = /^\/topics\/([^/]+)$/.exec(path);
  if (m) {
    try {
      return { name: 'topic', topicId: decodeURIComponent(m[1]!) };
    } catch {
      return { name: 'not-found', path: pathname };
    }
  }
  return { name: 'not-found', path: pathname };
}

/** The URL of a topic's dashboard. */
export function topicHref(topicId: string): string {
  return `/topics/${encodeURIComponent(topicId)}`;
}

/** True for wall mode (`?wall=1`). */
export function isWallMode(search: string): boolean {
  return new URLSearchParams(search).get('wall') === '1';
}

/** Resolves `href` against `base` to path + query + hash, keeping `?wall=1` when `wall` is on. */
export function resolveHref(href: string, base: string, wall: boolean): string {
  const url = new URL(href, base);
  if (wall && !url.searchParams.has('wall')) url.searchParams.set('wall', '1');
  return url.pathname + url.search + url.hash;
}

/** The same-origin app path of a link, or null when the browser should follow it itself. */
export function appLinkPath(href: string, origin: string): string | null {
  const url = new URL(href);
  if (url.origin !== origin || url.pathname.startsWith('/api/')) return null;
  return url.pathname + url.search + url.hash;
}
