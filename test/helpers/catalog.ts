// Catalog helpers for tests: the default catalog with every capture window set to one length.
import type { CaptureWindowSec } from '../../shared/capture-window.ts';
import type { LogsetInfo } from '../../shared/catalog.ts';
import { defaultLogsets } from '../../server/catalog/default-catalog.ts';

/** The default logsets with every topic and flow log at `windowSec` (default: 1-minute windows). */
export function logsetsWithWindow(windowSec: CaptureWindowSec = 60): LogsetInfo[] {
  return defaultLogsets().map((l) => ({
    ...l,
    topics: l.topics.map((t) => ({
      ...t,
      windowSec,
      flowLogs: t.flowLogs.map((f) => ({ ...f, captureWindowSec: windowSec })),
    })),
  }));
}
