// The client's pages: path -> route. Pure; the server serves the app for exactly these paths.

export type Route =
  | { name: 'overview' }
  | { name: 'topic'; topicId: string }
  | { name: 'topic-ingest'; topicId: string }
  | { name: 'topic-settings'; topicId: string }
  | { name: 'search' }
  | { name: 'flowlogs' }
  | { name: 'flowlog-new' }
  | { name: 'flowlog'; flowLogId: string }
  /** The NOC wall (settings in the query: wall-settings.ts) and the page that builds its URL. */
  | { name: 'wall' }
  | { name: 'wall-setup' }
  /** Alerts: firing, history, silences, deliveries. */
  | { name: 'alerts' }
  | { name: 'not-found'; path: string };

const decode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'overview' };
  if (path === '/search') return { name: 'search' };
  if (path === '/flowlogs') return { name: 'flowlogs' };
  if (path === '/flowlogs/new') return { name: 'flowlog-new' };
  if (path === '/wall') return { name: 'wall' };
  if (path === '/wall/setup') return { name: 'wall-setup' };
  if (path === '/alerts') return { name: 'alerts' };
  const fl = /^\/flowlogs\/([^/]+)$/.exec(path);
  if (fl) {
    const id = decode(fl[1]!);
    return id === null ? { name: 'not-found', path: pathname } : { name: 'flowlog', flowLogId: id };
  }
  const m = /^\/topics\/([^/]+)(\/ingest|\/settings)?$/.exec(path);
  if (m) {
    const topicId = decode(m[1]!);
    if (topicId === null) return { name: 'not-found', path: pathname };
    if (m[2] === '/ingest') return { name: 'topic-ingest', topicId };
    if (m[2] === '/settings') return { name: 'topic-settings', topicId };
    return { name: 'topic', topicId };
  }
  return { name: 'not-found', path: pathname };
}

/** The URL of a topic's dashboard. */
export function topicHref(topicId: string): string {
  return `/topics/${encodeURIComponent(topicId)}`;
}

/** The URL of a topic's ingest health. */
export function topicIngestHref(topicId: string): string {
  return `${topicHref(topicId)}/ingest`;
}

/** The URL of a topic's settings (name, thresholds). */
export function topicSettingsHref(topicId: string): string {
  return `${topicHref(topicId)}/settings`;
}

/** The URL of a flow log's page. */
export function flowLogHref(flowLogId: string): string {
  return `/flowlogs/${encodeURIComponent(flowLogId)}`;
}
