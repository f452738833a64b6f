// The catalog (logsets, topics, flow logs) for the management pages: GET /api/topics once, then
// every catalog:updated from the socket, so a change made anywhere shows at once.
import type { FlowLogInfo, LogsetInfo, TopicInfo } from '../../shared/catalog.ts';
import type { CatalogUpdate } from '../../shared/events.ts';
import type { ErrorBody } from '../../shared/reply.ts';
import { getJson } from './api.ts';
import type { AppSocket } from './socket.ts';
import { drop, isCatalogUpdate } from './wire.ts';

const isLogsets = (v: unknown): v is LogsetInfo[] =>
  Array.isArray(v) &&
  v.every((l) => typeof l === 'object' && l !== null && Array.isArray(l.topics));

export class CatalogState {
  logsets = $state.raw<LogsetInfo[]>([]);
  loaded = $state(false);
  error = $state.raw<ErrorBody | null>(null);

  topics: TopicInfo[] = $derived(this.logsets.flatMap((l) => l.topics));
  flowLogs: FlowLogInfo[] = $derived(this.topics.flatMap((t) => t.flowLogs));

  #socket: AppSocket;
  #version = 0;

  constructor(socket: AppSocket) {
    this.#socket = socket;
  }

  topic(id: string): TopicInfo | undefined {
    return this.topics.find((t) => t.id === id);
  }

  flowLog(id: string): FlowLogInfo | undefined {
    return this.flowLogs.find((f) => f.id === id);
  }

  /** Loads and follows; returns the stop function. */
  start(): () => void {
    this.#socket.on('catalog:updated', this.#onUpdate);
    void this.reload();
    return () => this.#socket.off('catalog:updated', this.#onUpdate);
  }

  async reload(): Promise<void> {
    const r = await getJson<LogsetInfo[]>('/api/topics', {}, undefined, { check: isLogsets });
    this.loaded = true;
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.error = null;
    this.logsets = r.data;
  }

  #onUpdate = (update: CatalogUpdate): void => {
    if (!isCatalogUpdate(update)) return drop('catalog:updated', update);
    if (update.version < this.#version) return;
    this.#version = update.version;
    this.logsets = update.logsets;
    this.loaded = true;
  };
}
