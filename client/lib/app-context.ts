// App-wide singletons handed to components through context (set once in App.svelte).
import { createContext } from 'svelte';
import type { AlertsState } from './alerts.svelte.ts';
import type { CatalogState } from './catalog.svelte.ts';
import type { Connection } from './connection.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { Session } from './session.svelte.ts';
import type { AppSocket } from './socket.ts';
import type { ThemeManager } from './theme.svelte.ts';

export interface AppContext {
  router: Router;
  themes: ThemeManager;
  connection: Connection;
  socket: AppSocket;
  session: Session;
  /** Logsets, topics and flow logs, followed live (the management pages). */
  catalog: CatalogState;
  /** Firing episodes, silences and recent episodes, followed live. */
  alerts: AlertsState;
}

export const [getApp, setApp] = createContext<AppContext>();
