// The client's pages: path -> route. Pure; the server serves the app for exactly these paths.

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
