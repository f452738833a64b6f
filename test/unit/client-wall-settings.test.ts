// The wall's settings are its URL: parsed with defaults, formatted back, and the rotation.
import { describe, expect, it } from 'vitest';
import {
  parseWallSettings,
  rotationIndex,
  WALL_DEFAULTS,
  wallHref,
} from '../../client/lib/wall-settings.ts';

describe('wall settings', () => {
  it('reads topics, seconds per topic, range and theme from the URL', () => {
    expect(parseWallSettings('?topics=a,b&every=20&range=6h&theme=light')).toEqual({
      topics: ['a', 'b'],
      every: 20,
      range: '6h',
      theme: 'light',
    });
  });

  it('falls back to the defaults on missing or bad values, and drops repeated topics', () => {
    expect(parseWallSettings('')).toEqual(WALL_DEFAULTS);
    expect(parseWallSettings('?every=1&range=7d&theme=neon&topics=a,,a, b ')).toEqual({
      ...WALL_DEFAULTS,
      topics: ['a', 'b'],
    });
    expect(parseWallSettings('?every=99999').every).toBe(WALL_DEFAULTS.every);
  });

  it('formats a URL that parses back to the same settings', () => {
    const s = {
      topics: ['topic-eni-prod', 'topic-ccn-backbone'],
      every: 45,
      range: '15m',
      theme: 'dark',
    } as const;
    const href = wallHref({ ...s, topics: [...s.topics] });
    expect(href).toBe(
      '/wall?topics=topic-eni-prod,topic-ccn-backbone&every=45&range=15m&theme=dark',
    );
    expect(parseWallSettings(href.slice(href.indexOf('?')))).toEqual({
      ...s,
      topics: [...s.topics],
    });
  });

  it('rotates through the topics every `every` seconds, the same on every screen', () => {
    expect(rotationIndex(3, 10, 0)).toBe(0);
    expect(rotationIndex(3, 10, 9_999)).toBe(0);
    expect(rotationIndex(3, 10, 10_000)).toBe(1);
    expect(rotationIndex(3, 10, 30_000)).toBe(0);
    expect(rotationIndex(1, 10, 55_000)).toBe(0);
  });
});
