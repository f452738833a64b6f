// Where a time chart's scenes (time-canvas.ts) are painted: off the main thread when the browser
// can, on the page's canvas otherwise. Painting the two time charts cost a live update about 3 ms
// of script and, in the frame after, about as much again to hand the canvases' new pixels to the
// compositor; a canvas handed to a worker (transferControlToOffscreen) is painted and presented
// from there, and the page's frame does not touch it. One worker paints every time chart of the
// page (worker-host.ts). Should it fail (it did not load, or it threw), each chart takes a new
// canvas of its own and paints its last scene on the main thread from then on.
import { paintSceneOn, type TimeScene } from './time-canvas.ts';
import { WorkerHost } from './worker-host.ts';

/** What the page tells the painting worker. */
export type ToPainter =
  | { kind: 'canvas'; id: number; canvas: OffscreenCanvas }
  | { kind: 'paint'; jobs: Array<{ id: number; scene: TimeScene; dpr: number }> }
  | { kind: 'drop'; id: number };

/** The worker every time chart of the page shares (worker-host.ts). */
const painter = new WorkerHost<SceneCanvas, ToPainter>(
  () =>
    new Worker(new URL('./time-paint.worker.ts', import.meta.url), {
      type: 'module',
      name: 'flowdeck-time-charts',
    }),
);
/** Scenes for the worker, sent together at the end of the task that made them: one message per
 * live update, not one per chart (the first message of a task costs the page far more than the
 * next, about 1 ms against 0.1 while the worker is busy). The newest scene per canvas. */
const outbox = new Map<number, { scene: TimeScene; dpr: number }>();

function send(id: number, scene: TimeScene, dpr: number): void {
  if (outbox.size === 0)
    queueMicrotask(() => {
      const jobs = [...outbox].map(([id, job]) => ({ id, ...job }));
      outbox.clear();
      painter.post({ kind: 'paint', jobs });
    });
  outbox.set(id, { scene, dpr });
}

/** A canvas in `host` (absolutely placed at its top left) that paints scenes. */
export class SceneCanvas {
  readonly #host: HTMLElement;
  #canvas: HTMLCanvasElement;
  /** The worker's id for this canvas; null when painted here. */
  #id: number | null = null;
  #last: { scene: TimeScene; dpr: number } | null = null;
  #css = { w: -1, h: -1 };

  constructor(host: HTMLElement) {
    this.#host = host;
    this.#canvas = this.#newCanvas();
    if (
      typeof OffscreenCanvas === 'undefined' ||
      typeof this.#canvas.transferControlToOffscreen !== 'function'
    )
      return;
    const id = painter.join(this);
    if (id === null) return;
    const canvas = this.#canvas.transferControlToOffscreen();
    painter.post({ kind: 'canvas', id, canvas }, [canvas]);
    this.#id = id;
  }

  /** Paints `scene` at `dpr` device pixels per CSS pixel. */
  paint(scene: TimeScene, dpr: number): void {
    this.#last = { scene, dpr };
    if (this.#css.w !== scene.width || this.#css.h !== scene.height) {
      this.#css = { w: scene.width, h: scene.height };
      this.#canvas.style.width = `${scene.width}px`;
      this.#canvas.style.height = `${scene.height}px`;
    }
    if (this.#id !== null) {
      send(this.#id, scene, dpr);
      return;
    }
    paintSceneOn(this.#canvas, scene, dpr);
  }

  /** The worker is gone: a canvas of our own takes this one's place, painted here. */
  lost(message: string): void {
    if (this.#id === null) return;
    console.warn('flowdeck: a time chart is painted on the main thread:', message);
    outbox.delete(this.#id);
    this.#id = null;
    this.#canvas.remove();
    this.#canvas = this.#newCanvas();
    this.#css = { w: -1, h: -1 };
    if (this.#last) this.paint(this.#last.scene, this.#last.dpr);
  }

  dispose(): void {
    if (this.#id !== null) {
      outbox.delete(this.#id);
      painter.leave(this.#id, { kind: 'drop', id: this.#id });
    }
    this.#id = null;
    this.#last = null;
    this.#canvas.remove();
  }

  #newCanvas(): HTMLCanvasElement {
    const c = document.createElement('canvas');
    Object.assign(c.style, { position: 'absolute', left: '0', top: '0' });
    this.#host.prepend(c);
    return c;
  }
}
