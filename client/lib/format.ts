// Format helpers for people: rates, sizes, shares and times. Pure; no DOM. Sizes and rates use SI
// prefixes (powers of 1000) for both bits and bytes, so 8 × a byte figure reads as the bit figure.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML (element content or quoted attribute). Every ECharts formatter uses it on data text. */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const SI = ['', 'K', 'M', 'G', 'T', 'P'];

/** Scales `value` to an SI prefix: 3 significant digits at most, trailing zeros dropped. */
export function scaleSi(value: number): { text: string; prefix: string } {
  if (!Number.isFinite(value)) return { text: '–', prefix: '' };
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  let text = round3(v);
  // 999.96 rounds up to "1000": move to the next prefix.
  if (Number(text) >= 1000 && i < SI.length - 1) {
    i++;
    text = round3(v / 1000);
  }
  return { text: sign + text, prefix: SI[i] ?? '' };
}

function round3(v: number): string {
  if (v === 0) return '0';
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

/** Bit rate: 1500 -> '1.5 Kbps'. */
export function formatBits(bitsPerSecond: number): string {
  const { text, prefix } = scaleSi(bitsPerSecond);
  return `${text} ${prefix}bps`;
}

/** Byte count: 1500 -> '1.5 KB'. */
export function formatBytes(bytes: number): string {
  const { text, prefix } = scaleSi(bytes);
  return `${text} ${prefix}B`;
}

/** Packet rate: 1500 -> '1.5 Kpps'. */
export function formatPps(packetsPerSecond: number): string {
  const { text, prefix } = scaleSi(packetsPerSecond);
  return `${text} ${prefix}pps`;
}

/** Plain count: 1500 -> '1.5K', 42 -> '42'. */
export function formatCount(n: number): string {
  const { text, prefix } = scaleSi(n);
  return `${text}${prefix}`;
}

// One formatter for every call (toLocaleString builds one per call: a tenth of a live update's
// page work went there).
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Integer with thousands separators: 1234567 -> '1,234,567'. */
export function formatInteger(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return INTEGER.format(Math.round(n));
}

/** A share 0..1 as a percentage: 0.1234 -> '12.3%'; tiny non-zero shares read '<0.1%'. */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  const digits = p >= 10 || p === 0 ? 1 : 2;
  return `${Number(p.toFixed(digits))}%`;
}

/** Bytes of one capture window of `windowMs` -> bits per second. */
export const bytesToBps = (bytes: number, windowMs: number): number =>
  (bytes * 8 * 1000) / windowMs;
/** Packets of one capture window of `windowMs` -> packets per second. */
export const packetsToPps = (packets: number, windowMs: number): number =>
  (packets * 1000) / windowMs;

const pad = (n: number): string => String(n).padStart(2, '0');

/** Epoch ms -> 'HH:MM:SS' in the browser's time zone. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch ms -> 'HH:MM' in the browser's time zone. */
export function formatHm(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A duration in ms -> '45 s', '12 min', '3 h 5 min'. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

/**
 * An age at minute resolution: '<1 min', '12 min', '3 h 5 min'. For a text on screen that counts
 * up by itself: at second resolution it changes, and costs the page a frame, every second.
 */
export function formatAge(ms: number): string {
  return ms < 60_000 ? '<1 min' : formatDuration(Math.floor(ms / 60_000) * 60_000);
}

/** `addr:port`, with IPv6 addresses bracketed. */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
