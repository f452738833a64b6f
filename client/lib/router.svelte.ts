// A tiny History API router: the current path as state, same-origin link clicks intercepted,
// back/forward through popstate. `?wall=1` (wall mode) sticks across navigation.
import { appLinkPath, isWallMode, matchRoute, resolveHref, type Route } from './routes.ts';

export interface NavigateOptions {
  /** history.state of the new entry (survives reloads, unlike component state). */
  state?: unknown;
  /** Scroll to the top (default true). */
  scroll?: boolean;
}

export class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  /** history.state of the current entry. */
  state = $state.raw<unknown>(history.state);
  route: Route = $derived(matchRoute(this.path));
  wall: boolean = $derived(isWallMode(this.search));

  navigate(href: string, replace = false, options: NavigateOptions = {}): void {
    const target = resolveHref(href, location.href, this.wall);
    const state = options.state ?? null;
    if (replace) history.replaceState(state, '', target);
    else history.pushState(state, '', target);
    this.#sync();
    if (options.scroll ?? true) window.scrollTo(0, 0);
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
    this.state = history.state;
  }
}
