// The wall lays its page out at a 1920x1080 design size and zooms it (CSS zoom) to the screen, so
// a 4K wall looks like a 1080p one, only sharper. Charts draw their canvas with this many more
// device pixels, so a zoomed chart stays crisp instead of being stretched.
let scale = 1;

/** Set by the wall to its zoom factor (1 elsewhere); applies to charts created afterwards. */
export function setRenderScale(next: number): void {
  scale = Number.isFinite(next) && next > 0 ? next : 1;
}

/** The device pixel ratio charts are drawn at. */
export function chartPixelRatio(): number {
  return (globalThis.devicePixelRatio || 1) * scale;
}
