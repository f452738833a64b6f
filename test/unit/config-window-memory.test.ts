// How many hours of windows the server keeps in memory: 24 by default, set by flag or environment,
// and a wrong value refused with the rule it breaks.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('--window-memory-hours', () => {
  it('defaults to a day and takes the flag or FLOWDECK_WINDOW_MEMORY_HOURS', () => {
    expect(loadConfig([], {}).windowMemoryHours).toBe(24);
    expect(loadConfig(['--window-memory-hours', '2'], {}).windowMemoryHours).toBe(2);
    expect(loadConfig([], { FLOWDECK_WINDOW_MEMORY_HOURS: '6' }).windowMemoryHours).toBe(6);
  });

  it('refuses a value outside 1 to 168 hours, saying so', () => {
    expect(() => loadConfig(['--window-memory-hours', '0.5'], {})).toThrow(ConfigError);
    expect(() => loadConfig(['--window-memory-hours', 'lots'], {})).toThrow(
      /--window-memory-hours \(FLOWDECK_WINDOW_MEMORY_HOURS\) must be hours in \[1, 168\], got "lots"/,
    );
  });
});
