// The worker that paints the page's time charts (time-painter.ts): each chart's canvas arrives
// once (an OffscreenCanvas), then scenes to paint. Scenes that arrive for a canvas before it was
// painted are painted once, the newest. What is painted here is presented without the page's
// main thread.
import { paintSceneOn, type TimeScene } from './time-canvas.ts';
import type { ToPainter } from './time-painter.ts';

const canvases = new Map<number, OffscreenCanvas>();
const waiting = new Map<number, { scene: TimeScene; dpr: number }>();
let scheduled = false;

function flush(): void {
  scheduled = false;
  for (const [id, job] of waiting) {
    waiting.delete(id);
    const canvas = canvases.get(id);
    if (canvas) paintSceneOn(canvas, job.scene, job.dpr);
  }
}

addEventListener('message', (e: MessageEvent<ToPainter>) => {
  const m = e.data;
  if (m.kind === 'canvas') canvases.set(m.id, m.canvas);
  else if (m.kind === 'drop') {
    canvases.delete(m.id);
    waiting.delete(m.id);
  } else {
    for (const { id, scene, dpr } of m.jobs) waiting.set(id, { scene, dpr });
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  }
});
