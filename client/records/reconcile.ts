// Does the sum of the matching records equal the number the chart showed? Pure.
import { formatBytes, formatInteger } from '../lib/format.ts';

export interface Expected {
  bytes: number;
  packets?: number | undefined;
}

export interface Reconciliation {
  matches: boolean;
  /** Records minus chart. */
  bytesDiff: number;
  packetsDiff: number | null;
  /** 'matches the chart ✓' or 'differs from the chart by +1.5 KB (+0.4%) and −3 packets'. */
  text: string;
}

const signed = (n: number, text: string): string =>
  n > 0 ? `+${text}` : n < 0 ? `−${text}` : text;

export function reconcile(
  expected: Expected,
  sum: { bytes: number; packets: number },
): Reconciliation {
  const bytesDiff = sum.bytes - expected.bytes;
  const packetsDiff = expected.packets === undefined ? null : sum.packets - expected.packets;
  const matches = bytesDiff === 0 && (packetsDiff === null || packetsDiff === 0);
  if (matches) return { matches, bytesDiff, packetsDiff, text: 'matches the chart ✓' };
  const parts: string[] = [];
  if (bytesDiff !== 0) {
    const abs = Math.abs(bytesDiff);
    const exact = abs < 1000 ? `${formatInteger(abs)} B` : formatBytes(abs);
    const pct = expected.bytes > 0 ? ` (${signed(bytesDiff, percent(abs / expected.bytes))})` : '';
    parts.push(signed(bytesDiff, exact) + pct);
  }
  if (packetsDiff !== null && packetsDiff !== 0) {
    const abs = Math.abs(packetsDiff);
    parts.push(signed(packetsDiff, `${formatInteger(abs)} packet${abs === 1 ? '' : 's'}`));
  }
  return {
    matches,
    bytesDiff,
    packetsDiff,
    text: `differs from the chart by ${parts.join(' and ')}`,
  };
}

function percent(share: number): string {
  const p = share * 100;
  if (p < 0.01) return '<0.01%';
  return `${Number(p.toFixed(p >= 10 ? 1 : 2))}%`;
}
