// Links inside the app: wall mode, same-origin navigation. The pages themselves are in shared/routes.ts.
export {
  flowLogHref,
  matchRoute,
  topicHref,
  topicIngestHref,
  topicSettingsHref,
  type Route,
} from '../../shared/routes.ts';

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
