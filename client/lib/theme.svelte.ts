// The app theme: dark by default, light on request, persisted in localStorage and applied to
// <html data-theme>, which the CSS variables follow.
import type { ThemeName } from '../charts/palette.ts';

const STORAGE_KEY = 'flowdeck:theme';

function stored(): ThemeName {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export class ThemeManager {
  #theme = $state<ThemeName>(stored());

  constructor() {
    document.documentElement.dataset.theme = this.#theme;
  }

  get theme(): ThemeName {
    return this.#theme;
  }

  set theme(next: ThemeName) {
    this.#theme = next;
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode or storage disabled: the choice lasts for this page only.
    }
  }

  toggle(): void {
    this.theme = this.#theme === 'dark' ? 'light' : 'dark';
  }
}
