// The worker that paints the page's time charts (time-painter.ts): each chart's canvas arrives
// once (an OffscreenCanvas), then scenes to paint. Scenes that arrive for a canvas before it was
// painted are painted once, the newest. What is painted here is presented without the page's
// main thread.
import { paintScene, type TimeScene } from './time-canvas.ts';
import type { ToPainter } from './time-painter.ts';

interface Held {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D | null;
}

const canvases = new Map<number, Held>();
const waiting = new Map<number, { scene: TimeScene; dpr: number }>();
let scheduled = false;

function paint(held: Held, scene: TimeScene, dpr: number): void {
  const { canvas } = held;
  const w = Math.max(1, Math.round(scene.width * dpr));
  const h = Math.max(1, Math.round(scene.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  held.ctx ??= canvas.getContext('2d');
  if (!held.ctx) return;
  held.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  paintScene(held.ctx, scene);
}

function flush(): void {
  scheduled = false;
  for (const [id, job] of waiting) {
    waiting.delete(id);
    const held = canvases.get(id);
    if (held) paint(held, job.scene, job.dpr);
  }
}

addEventListener('message', (e: MessageEvent<ToPainter>) => {
  const m = e.data;
  if (m.kind === 'canvas') canvases.set(m.id, { canvas: m.canvas, ctx: null });
  else if (m.kind === 'drop') {
    canvases.delete(m.id);
    waiting.delete(m.id);
  } else {
    waiting.set(m.id, { scene: m.scene, dpr: m.dpr });
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  }
});
