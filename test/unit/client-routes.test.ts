import { describe, expect, it } from 'vitest';
import {
  appLinkPath,
  isWallMode,
  matchRoute,
  resolveHref,
  topicHref,
} from '../../client/lib/routes.ts';

describe('routes', () => {
  it('maps paths to routes', () => {
    expect(matchRoute('/')).toEqual({ name: 'overview' });
    expect(matchRoute('/topics/topic-eni-prod')).toEqual({
      name: 'topic',
      topicId: 'topic-eni-prod',
    });
    expect(matchRoute('/topics/topic-eni-prod/')).toEqual({
      name: 'topic',
      topicId: 'topic-eni-prod',
    });
    expect(matchRoute('/topics/a%20b')).toEqual({ name: 'topic', topicId: 'a b' });
    expect(matchRoute('/nope')).toEqual({ name: 'not-found', path: '/nope' });
    expect(matchRoute('/topics/%E0%A4%A')).toMatchObject({ name: 'not-found' });
    expect(matchRoute('/topics/t1/ingest')).toEqual({ name: 'topic-ingest', topicId: 't1' });
    expect(matchRoute('/topics/t1/settings')).toEqual({ name: 'topic-settings', topicId: 't1' });
    expect(matchRoute('/flowlogs')).toEqual({ name: 'flowlogs' });
    expect(matchRoute('/flowlogs/new')).toEqual({ name: 'flowlog-new' });
    expect(matchRoute('/flowlogs/fl-5tz8k2mq')).toEqual({
      name: 'flowlog',
      flowLogId: 'fl-5tz8k2mq',
    });
    expect(matchRoute('/flowlogs/a/b')).toMatchObject({ name: 'not-found' });
    expect(matchRoute('/metrics')).toMatchObject({ name: 'not-found' });
  });
  it('builds topic links that round-trip', () => {
    const href = topicHref('a/b <c>');
    expect(href).toBe('/topics/a%2Fb%20%3Cc%3E');
    expect(matchRoute(href)).toEqual({ name: 'topic', topicId: 'a/b <c>' });
  });
  it('keeps wall mode across navigation and leaves foreign links alone', () => {
    expect(isWallMode('?wall=1')).toBe(true);
    expect(isWallMode('?wall=0')).toBe(false);
    expect(resolveHref('/topics/x', 'http://h/?wall=1', true)).toBe('/topics/x?wall=1');
    expect(resolveHref('/topics/x', 'http://h/', false)).toBe('/topics/x');
    expect(appLinkPath('http://h/topics/x?a=1', 'http://h')).toBe('/topics/x?a=1');
    expect(appLinkPath('http://other/topics/x', 'http://h')).toBeNull();
    expect(appLinkPath('http://h/api/topics', 'http://h')).toBeNull();
  });
});
