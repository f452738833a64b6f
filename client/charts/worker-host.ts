// One worker shared by every member of its kind on the page (the time charts' canvases, the flow
// maps), started when the first member joins and kept for the page's life: a member made again (a
// wall rotating back to a topic) is drawn at once, by a worker already loaded. Messages name their
// member by the id it got on joining. Should the worker fail (its error event, or a post that
// throws), every member is told (`lost`) and draws on the page from then on; members joining
// afterwards get no id and draw on the page too.

/** What a member does when the worker is gone. */
export interface WorkerMember {
  lost(message: string): void;
}

export class WorkerHost<M extends WorkerMember, To> {
  readonly #make: () => Worker;
  readonly #onMessage: ((data: unknown) => void) | undefined;
  /** Undefined until first asked for; null once it failed or could not start. */
  #worker: Worker | null | undefined;
  readonly #members = new Map<number, M>();
  #nextId = 1;

  /** `onMessage` hears what the worker says (a worker that only draws says nothing). */
  constructor(make: () => Worker, onMessage?: (data: unknown) => void) {
    this.#make = make;
    this.#onMessage = onMessage;
  }

  /** A new member's id on a running worker; null when there is none to be had. */
  join(member: M): number | null {
    if (!this.#start()) return null;
    const id = this.#nextId++;
    this.#members.set(id, member);
    return id;
  }

  member(id: number): M | undefined {
    return this.#members.get(id);
  }

  /** The member `id` leaves; `farewell` tells the worker to let go of it. */
  leave(id: number, farewell?: To): void {
    if (!this.#members.delete(id)) return;
    if (farewell !== undefined) this.post(farewell);
  }

  /** The worker failed the member `id` alone: it is told, and leaves. */
  lose(id: number, message: string): void {
    const member = this.#members.get(id);
    this.#members.delete(id);
    member?.lost(message);
  }

  post(message: To, transfer: Transferable[] = []): void {
    try {
      this.#worker?.postMessage(message, transfer);
    } catch (e) {
      this.#fail(String(e));
    }
  }

  #start(): Worker | null {
    if (this.#worker !== undefined) return this.#worker;
    this.#worker = null;
    try {
      const w = this.#make();
      if (this.#onMessage) {
        const hear = this.#onMessage;
        w.addEventListener('message', (e: MessageEvent) => hear(e.data));
      }
      w.addEventListener('error', (e) => {
        e.preventDefault();
        this.#fail(e.message);
      });
      this.#worker = w;
    } catch {
      this.#worker = null;
    }
    return this.#worker;
  }

  #fail(message: string): void {
    this.#worker?.terminate();
    this.#worker = null;
    const members = [...this.#members.values()];
    this.#members.clear();
    for (const m of members) m.lost(message);
  }
}
