import { describe, expect, it } from 'vitest';
import {
  bytesToBps,
  escapeHtml,
  formatAge,
  formatBits,
  formatBytes,
  formatCount,
  formatDuration,
  formatEndpoint,
  formatInteger,
  formatPercent,
  formatPps,
  packetsToPps,
} from '../../client/lib/format.ts';

describe('escapeHtml', () => {
  it('escapes markup so data text cannot become HTML', () => {
    expect(escapeHtml('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`a&b "c" 'd'`)).toBe('a&amp;b &quot;c&quot; &#39;d&#39;');
  });
  it('passes plain text through and stringifies non-strings', () => {
    expect(escapeHtml('10.0.1.12')).toBe('10.0.1.12');
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('');
  });
});

describe('rates and sizes', () => {
  it('scales bit rates with SI prefixes', () => {
    expect(formatBits(0)).toBe('0 bps');
    expect(formatBits(999)).toBe('999 bps');
    expect(formatBits(1500)).toBe('1.5 Kbps');
    expect(formatBits(28_400_000)).toBe('28.4 Mbps');
    expect(formatBits(1_234_000_000)).toBe('1.23 Gbps');
    expect(formatBits(456_700_000_000)).toBe('457 Gbps');
  });
  it('rolls a value that rounds to 1000 over to the next prefix', () => {
    expect(formatBits(999_999)).toBe('1 Mbps');
  });
  it('scales bytes, packets and counts', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(175_000_000)).toBe('175 MB');
    expect(formatPps(13_900)).toBe('13.9 Kpps');
    expect(formatPps(2.5)).toBe('2.5 pps');
    expect(formatCount(2_680)).toBe('2.68K');
    expect(formatInteger(1_234_567)).toBe('1,234,567');
  });
  it('converts one window of bytes to bits per second (bytes × 8 / window seconds)', () => {
    expect(bytesToBps(600, 60_000)).toBe(80);
    expect(packetsToPps(120, 60_000)).toBe(2);
    expect(bytesToBps(600, 300_000)).toBe(16);
    expect(packetsToPps(120, 300_000)).toBe(0.4);
  });
});

describe('formatPercent', () => {
  it('shows shares as percentages with sensible precision', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(0.0002)).toBe('<0.1%');
  });
});

describe('other helpers', () => {
  it('formats durations', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(185 * 60_000)).toBe('3 h 5 min');
  });
  it('formats an age to the minute, so that it changes once a minute', () => {
    expect(formatAge(0)).toBe('<1 min');
    expect(formatAge(59_999)).toBe('<1 min');
    expect(formatAge(60_000)).toBe('1 min');
    // Down to the minute: 12 min 59 s is still 12 min.
    expect(formatAge(12 * 60_000 + 59_000)).toBe('12 min');
    expect(formatAge(185 * 60_000 + 30_000)).toBe('3 h 5 min');
  });
  it('brackets IPv6 endpoints', () => {
    expect(formatEndpoint('10.0.0.1', 443)).toBe('10.0.0.1:443');
    expect(formatEndpoint('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
  });
});
