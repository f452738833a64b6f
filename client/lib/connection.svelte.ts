// Connection state for the header badge: live, reconnecting, or stale.
//  - reconnecting: the socket is not connected (it retries on its own).
//  - stale: connected, but the page's feed says its data is older than expected (see the feeds:
//    no window newer than 3 × 60 s + the topic's usual delay, in estimated server time).
//  - live: connected and fresh.
// "Stale since T" is the browser-clock time the last data message was received.
import { getSocket, type AppSocket } from './socket.ts';
import { formatClock } from './format.ts';

export type ConnectionStateName = 'live' | 'reconnecting' | 'stale';

/** What a page's feed tells the badge about its data; reactive reads. */
export interface FreshnessSource {
  /** Local time (ms) at which the data counts as stale; null while unknown. */
  readonly staleAt: number | null;
  /** Local time (ms) the last data message was received; null before any. */
  readonly lastDataAt: number | null;
}

const TICK_MS = 1_000;

export class Connection {
  connected = $state(false);
  everConnected = $state(false);
  disconnectedAt = $state<number | null>(null);
  /** Why the server last closed this connection itself (it says so before closing), if it did. */
  notice = $state<string | null>(null);
  /** Local clock, ticking once a second so staleness shows without new messages. */
  now = $state(Date.now());
  #source = $state.raw<FreshnessSource | null>(null);

  state: ConnectionStateName = $derived.by(() => {
    if (!this.connected) return 'reconnecting';
    const staleAt = this.#source?.staleAt ?? null;
    return staleAt !== null && this.now >= staleAt ? 'stale' : 'live';
  });

  /** Local time the shown data stopped being fresh: last data received, else the disconnect. */
  since: number | null = $derived(this.#source?.lastDataAt ?? this.disconnectedAt);

  label: string = $derived.by(() => {
    // While live, the label reads neither the clock nor the last message (each data message moves
    // it): nothing that shows it runs again on a live update.
    if (this.state === 'live') return 'Live';
    const since = this.since === null ? '' : ` since ${formatClock(this.since)}`;
    if (this.state === 'stale') return `Stale${since}`;
    return this.everConnected ? `Reconnecting… stale${since}` : 'Connecting…';
  });

  constructor(socket: AppSocket) {
    this.connected = socket.connected;
    this.everConnected = socket.connected;
    socket.on('connect', () => {
      this.connected = true;
      this.everConnected = true;
      this.disconnectedAt = null;
    });
    socket.on('server:notice', (n) => {
      this.notice = typeof n?.message === 'string' ? n.message.slice(0, 300) : null;
      console.warn('flowdeck: the server closes the connection:', this.notice);
    });
    socket.on('disconnect', () => {
      this.connected = false;
      this.disconnectedAt = Date.now();
    });
    setInterval(() => {
      this.now = Date.now();
    }, TICK_MS);
  }

  /** The page's feed becomes the freshness source until the returned function is called. */
  watch(source: FreshnessSource): () => void {
    this.#source = source;
    return () => {
      if (this.#source === source) this.#source = null;
    };
  }

  /** Starts the page's feed and watches it; the returned function undoes both (an $effect's teardown). */
  follow(feed: FreshnessSource & { start(): () => void }): () => void {
    const stop = feed.start();
    const unwatch = this.watch(feed);
    return () => {
      unwatch();
      stop();
    };
  }
}

let connection: Connection | null = null;

export function getConnection(): Connection {
  connection ??= new Connection(getSocket());
  return connection;
}
