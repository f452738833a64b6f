// A tiny History API router: the current path as state, same-origin link clicks intercepted,
// back/forward through popstate. `?wall=1` (wall mode) sticks across navigation.
import { appLinkPath, isWallMode, matchRoute, resolveHref, type Route } from './routes.ts';

export class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  route: Route = $derived(matchRoute(this.path));
  wall: boolean = $derived(isWallMode(this.search));

  navigate(href: string, replace = false): void {
    const target = resolveHref(href, location.href, this.wall);
    if (replace) history.replaceState(null, '', target);
    else history.pushState(null, '', target);
    this.#sync();
    window.scrollTo(0, 0);
  }

  /** Starts listening; returns the stop function. */
  start(): () => void {
    const onPop = () => this.#sync();
    const onClick = (e: MouseEvent) => {
      if (
        e.defaultPrevented ||
        e.button !== 0 ||
        e.metaKey ||
        e.ctrlKey ||
        e.shiftKey ||
        e.altKey
      ) {
        return;
      }
      const a = (e.target as Element | null)?.closest?.('a');
      if (!a || !a.href || a.target || a.hasAttribute('download')) return;
      const path = appLinkPath(a.href, location.origin);
      if (path === null) return;
      e.preventDefault();
      this.navigate(path);
    };
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }

  #sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}
