// The view-model of one topic's dashboard, shared by the dashboard page and the wall: the live feed
// and the history loads, completeness, and every figure the chart grid draws. It holds no URL and
// no navigation: the page hands it the range and filter to show (`view()`), and reads back the
// figures and the drill-down bounds. Construct it during a component's initialisation (its effects
// belong to that component) and call start() from an $effect.
//
// Two data sources:
//  - live: the last hour with no filter is pure streaming (snapshot, then window:published deltas
//    merged in place), the NOC wall path;
//  - history: any other range, or a filter, comes from GET /api/topics/:id/windows; live ranges
//    refresh (debounced) when the topic publishes a window, absolute ones do not.
// The socket subscription stays in both modes: it carries the refresh signal, stream health and
// the connection state.
import { untrack } from 'svelte';
import { parseQuery } from '../../shared/query/index.ts';
import {
  awaitingFirstRecords,
  firstRecordsExpectedAt,
  windowLabel,
} from '../../shared/capture-window.ts';
import { protocolRows, protocolRowsFromTotals } from '../lib/protocols.ts';
import type { RatioTotals } from '../charts/ratio-option.ts';
import type { TrafficMetric } from '../charts/traffic-option.ts';
import { splitComplete } from '../lib/completeness.ts';
import type { Connection } from '../lib/connection.svelte.ts';
import type { Bounds } from '../lib/drill.ts';
import { formatHm } from '../lib/format.ts';
import { SPANS, type PairRange, type Span } from '../lib/regions.ts';
import { pointsFromSeries, pointsFromWindows, type ChartPoint } from '../lib/series.ts';
import type { AppSocket } from '../lib/socket.ts';
import { rangeKpis, streamHealth, streamRows } from '../lib/stats.ts';
import { DEFAULT_RANGE, absRange, rangeLabel, resolveRange, stepLabel } from '../lib/time-range.ts';
import type { TimeRange } from '../lib/time-range.ts';
import {
  mergeTop,
  TABLE_ROWS,
  topFromList,
  TOP_RANGES,
  topWindows,
  type TopRange,
} from '../lib/top.ts';
import { TopicFeed } from '../lib/topic-feed.svelte.ts';
import { TopicHistory, type HistoryParams } from '../lib/topic-history.svelte.ts';
import { DEFAULT_VIEW, type ViewChoices } from '../lib/url-state.ts';
import { sameItems, shownWindows } from '../lib/windows.ts';
import type { WindowAggregate } from '../../shared/events.ts';
import { pairConversations, topChanges, type RowChange } from '../lib/top-changes.ts';
import { hourBaseline, thresholdsOf, volumeChange } from '../../shared/thresholds.ts';

/** What the page shows: a time range and a filter (from its URL, or the wall's settings). */
export interface ViewRequest {
  range: TimeRange;
  q: string;
}

const NO_CHANGES: ReadonlyMap<string, RowChange> = Object.freeze(new Map<string, RowChange>());

export class TopicView {
  readonly topicId: string;
  readonly feed: TopicFeed;
  readonly history: TopicHistory;

  // ---- choices made on the panels: the dashboard keeps them in its URL (`choices`,
  // `applyChoices`; lib/url-state.ts), the wall leaves them at their defaults ----
  metric = $state<TrafficMetric>(DEFAULT_VIEW.metric);
  topRange = $state<TopRange>(DEFAULT_VIEW.top);
  /** The quintuple table, or conversations (A→B and B→A folded into one row). */
  tableMode = $state<ViewChoices['table']>(DEFAULT_VIEW.table);
  pairing = $derived(this.tableMode === 'conversations');
  mapSpan = $state<Span>(DEFAULT_VIEW.map);
  matrixSpan = $state<Span>(DEFAULT_VIEW.matrix);
  /** Series clicked off in the traffic chart's legend ('ACCEPT', 'REJECT'). */
  trafficHidden = $state<string[]>([]);
  /** Series clicked off in the REJECT share chart's legend ('by bytes', 'by packets'). */
  shareHidden = $state<string[]>([]);
  /** The quintuple chosen on the bars (highlighted in the table); not in the URL. */
  selectedQuintuple = $state<string | null>(null);

  /** The panels' choices, as the URL holds them. */
  get choices(): ViewChoices {
    return {
      metric: this.metric,
      top: this.topRange,
      table: this.tableMode,
      map: this.mapSpan,
      matrix: this.matrixSpan,
      trafficHidden: [...this.trafficHidden],
      shareHidden: [...this.shareHidden],
    };
  }

  /** Takes the choices a URL holds (on load, Back and Forward); what is already so is left. */
  applyChoices(c: ViewChoices): void {
    if (this.metric !== c.metric) this.metric = c.metric;
    if (this.topRange !== c.top) this.topRange = c.top;
    if (this.tableMode !== c.table) this.tableMode = c.table;
    if (this.mapSpan !== c.map) this.mapSpan = c.map;
    if (this.matrixSpan !== c.matrix) this.matrixSpan = c.matrix;
    if (this.trafficHidden.join(',') !== c.trafficHidden.join(','))
      this.trafficHidden = [...c.trafficHidden];
    if (this.shareHidden.join(',') !== c.shareHidden.join(','))
      this.shareHidden = [...c.shareHidden];
  }

  #request: () => ViewRequest;
  #connection: Connection;

  constructor(
    topicId: string,
    socket: AppSocket,
    connection: Connection,
    request: () => ViewRequest,
  ) {
    this.topicId = topicId;
    this.feed = new TopicFeed(topicId, socket);
    this.history = new TopicHistory(topicId);
    this.#connection = connection;
    this.#request = request;

    // History loads: on a new range or filter, once the server clock is known for live ranges.
    $effect(() => {
      if (this.mode !== 'history') {
        this.history.clear();
        return;
      }
      void this.rangeKey;
      // The server would answer bad_query (and the browser log a 400): say it here instead.
      const parsed = parseQuery(this.q);
      if (!parsed.ok) {
        untrack(() => this.history.fail({ code: 'bad_query', ...parsed.error }));
        return;
      }
      if (this.range.kind === 'live' && !this.clockKnown) return;
      untrack(() => {
        const p = this.historyParams();
        if (p) void this.history.load(p);
      });
    });

    // A live range follows new windows: refresh after a publication (debounced, at most every 5 s).
    $effect(() => {
      void this.feed.updates;
      if (this.mode !== 'history' || this.range.kind !== 'live') return;
      untrack(() => {
        if (this.history.params) this.history.refreshSoon(() => this.historyParams());
      });
    });
  }

  /**
   * Follows the feed, and makes it the connection's freshness source unless `watch` is false (a
   * wall keeps several topics warm and watches the one it shows); returns the stop function.
   */
  start(watch = true): () => void {
    const unfollow = watch ? this.#connection.follow(this.feed) : this.feed.start();
    return () => {
      unfollow();
      this.history.stop();
    };
  }

  // ---- the request ----
  /** Primitives, so that another URL with the same range does not look like a new range. */
  rangeKey = $derived.by(() => {
    const r = this.#request().range;
    return r.kind === 'live' ? r.name : `${r.from}-${r.to}`;
  });
  q = $derived.by(() => this.#request().q.trim());
  range: TimeRange = $derived.by(() => {
    void this.rangeKey;
    return untrack(() => this.#request().range);
  });
  mode: 'live' | 'history' = $derived(
    this.range.kind === 'live' && this.range.name === DEFAULT_RANGE && this.q === ''
      ? 'live'
      : 'history',
  );
  serverNow = $derived.by(() => this.feed.serverNow(this.#connection.now));
  clockKnown = $derived(this.serverNow !== null);
  /**
   * The server clock in 15 s steps, for what only needs that (a new flow log's first records due):
   * the stream list is not rebuilt every second on an idle page.
   */
  serverTick = $derived(
    this.serverNow === null ? null : Math.floor(this.serverNow / 15_000) * 15_000,
  );

  historyParams(): HistoryParams | null {
    const now = this.feed.serverNow(Date.now());
    const range = this.range;
    if (range.kind === 'live' && now === null) return null;
    const span = resolveRange(range, now ?? Date.now(), this.feed.windowMs);
    // A live range stops at the end of the newest complete window: what it shows then stays true,
    // and every figure (the donut, the top list...) drills into exactly the records behind it.
    const until = range.kind === 'live' ? untrack(() => this.completeUntil) : null;
    const to = until !== null && until > span.from && until < span.to ? until : span.to;
    return { from: span.from, to, step: span.step, q: this.q };
  }

  // ---- live windows and completeness ----
  topic = $derived.by(() => this.feed.topic);
  /** The streams a window waits for to be complete: those of flow logs that collect. */
  streamIds = $derived(this.topic?.streams.filter((st) => st.enabled).map((st) => st.id) ?? []);
  windows = $derived.by(() => shownWindows(this.feed.windows));
  completeUntil = $derived.by(
    () =>
      splitComplete(this.windows, {
        streamIds: this.streamIds,
        serverNow: this.serverNow,
        delayMs: this.feed.delay,
      }).completeUntil,
  );
  /**
   * The complete windows. The same array while its windows are the same objects: a window still
   * reporting (the usual live update) then recomputes nothing that reads only complete windows
   * (the donut, the top list and its changes, protocols, the stream list), and their charts are
   * not touched.
   */
  complete = $derived.by(() => {
    const until = this.completeUntil;
    const next = until === null ? [] : this.windows.filter((w) => w.windowStart < until);
    const held = this.#complete;
    if (sameItems(held, next)) return held;
    this.#complete = next;
    return next;
  });
  #complete: WindowAggregate[] = [];
  pendingCount = $derived(this.windows.length - this.complete.length);
  latestComplete = $derived(this.complete.at(-1) ?? null);
  latest = $derived.by(() => this.feed.latest);
  /** The topic's alert thresholds (its settings, else the defaults). */
  thresholds = $derived(thresholdsOf(this.topic));
  /** The latest complete window's volume against the previous hour's complete windows. */
  volume = $derived.by(() => {
    const w = this.latestComplete;
    if (!w) return volumeChange(0, null, this.thresholds);
    const points = this.complete.map(
      (x) => [x.windowStart, x.accept.bytes + x.reject.bytes] as const,
    );
    const baseline = hourBaseline(points, w.windowStart, w.windowMs);
    return volumeChange(w.accept.bytes + w.reject.bytes, baseline, this.thresholds);
  });
  ccn = $derived(this.topic?.format === 'ccn');

  // ---- what the charts draw ----
  data = $derived.by(() => (this.mode === 'history' ? this.history.data : null));
  /** Drill-downs use the filter and range of the data drawn (it may lag the URL while loading). */
  base = $derived(this.data?.q ?? '');
  /** The drawn range in words ('' live). */
  historyLabel = $derived(this.data ? rangeLabel(absRange(this.data.from, this.data.to)) : '');
  dataBounds: Bounds | null = $derived(
    this.data ? { from: this.data.from, to: this.data.to } : null,
  );
  /** The x axis: the range out to the end of its last step bucket. */
  axisSpan = $derived(
    this.data
      ? { from: this.data.from, to: Math.ceil(this.data.to / this.data.step) * this.data.step }
      : null,
  );
  /** The topic's capture window, ms: the finest step of its charts. */
  windowMs = $derived.by(() => this.feed.windowMs);
  step = $derived(this.data?.step ?? this.windowMs);
  points: ChartPoint[] = $derived(
    this.data
      ? pointsFromSeries(this.data.series, this.data.step, this.completeUntil, {
          from: this.data.from,
          to: this.data.to,
        })
      : pointsFromWindows(this.windows, this.completeUntil, this.streamIds),
  );
  windowCount = $derived(this.data ? this.data.series.reduce((n, p) => n + p.windows, 0) : 0);

  ratioTotals: RatioTotals | null = $derived.by(() => {
    const data = this.data;
    if (data) {
      return {
        accept: data.accept,
        reject: data.reject,
        from: data.from,
        to: data.to,
        label: this.historyLabel,
      };
    }
    const w = this.latestComplete;
    return w
      ? {
          accept: w.accept,
          reject: w.reject,
          from: w.windowStart,
          to: w.windowStart + w.windowMs,
          label: `${formatHm(w.windowStart)} window`,
        }
      : null;
  });

  liveTopWindows = $derived(topWindows(this.complete, this.topRange));
  top = $derived(
    this.data
      ? topFromList(
          this.data.top,
          this.data.accept.bytes + this.data.reject.bytes,
          this.windowCount,
        )
      : mergeTop(this.complete, this.topRange),
  );
  /** Live: rank moves, entrants and REJECT spikes of the top list (history: none). */
  topChanges = $derived.by((): ReadonlyMap<string, RowChange> => {
    const picked = this.liveTopWindows;
    const first = picked[0];
    if (this.data || this.complete.length < 2 || !first) return NO_CHANGES;
    const previous = mergeTop(this.complete.slice(0, -1), this.topRange).rows;
    const hour = this.complete.filter(
      (w) => w.windowStart < first.windowStart && w.windowStart >= first.windowStart - 3_600_000,
    );
    // For the rows the table shows (against the whole previous list: a row may climb from far).
    return topChanges(this.top.rows.slice(0, TABLE_ROWS), previous, {
      hour,
      rangeWindows: picked.length,
      totalBytes: this.top.totalBytes,
      thresholds: this.thresholds,
    });
  });
  pairs = $derived(this.pairing ? pairConversations(this.top.rows) : []);
  topBounds: Bounds | null = $derived.by(() => {
    if (this.dataBounds) return this.dataBounds;
    const first = this.liveTopWindows[0];
    const last = this.liveTopWindows.at(-1);
    return first && last ? { from: first.windowStart, to: last.windowStart + last.windowMs } : null;
  });
  protocols = $derived(
    this.data ? protocolRowsFromTotals(this.data.byProtocol) : protocolRows(this.liveTopWindows),
  );
  pairRange: PairRange | null = $derived(
    this.data
      ? {
          regionPairs: this.data.regionPairs,
          seconds: (this.windowCount * this.windowMs) / 1000,
          windowMs: this.windowMs,
          from: this.data.from,
          to: this.data.to,
        }
      : null,
  );
  kpiRange = $derived(
    this.data
      ? {
          kpis: rangeKpis(this.data, this.data.series, this.data.step, this.windowMs, {
            from: this.data.from,
            to: this.data.to,
          }),
          points: this.points,
          step: this.data.step,
          label: this.historyLabel,
          short:
            this.range.kind === 'live'
              ? `last ${this.range.name.replace(/(\d+)([a-z])/, '$1 $2')}`
              : 'over the range',
        }
      : null,
  );

  health = $derived(streamHealth(this.windows));
  /** A new flow log's streams wait for their first records rather than show as silent. */
  configuredStreams = $derived(
    (this.topic?.streams ?? []).map((s) => {
      const fl = this.topic?.flowLogs.find((f) => f.id === s.flowLogId);
      const now = this.serverTick;
      const waiting =
        fl !== undefined &&
        fl.enabled &&
        now !== null &&
        awaitingFirstRecords(fl.createdAt, fl.captureWindowSec, now);
      return {
        ...s,
        expectedBy: waiting ? firstRecordsExpectedAt(fl.createdAt, fl.captureWindowSec) : null,
      };
    }),
  );
  streams = $derived(
    streamRows(this.configuredStreams, this.complete, (id) =>
      (this.topic?.flowLogs ?? []).some((f) => id.startsWith(`${f.resourceId}/`)),
    ),
  );
  firstExpected = $derived.by(() => {
    const due = this.streams.flatMap((s) => (s.expectedBy !== null ? [s.expectedBy] : []));
    return due.length > 0 ? Math.min(...due) : null;
  });
  topRangeLabel = $derived(TOP_RANGES.find((r) => r.value === this.topRange)?.label ?? '');
  collection = $derived(
    (this.topic?.flowLogs ?? [])
      .map((f) => f.collectionType)
      .filter((c, i, all) => all.indexOf(c) === i)
      .join(' / '),
  );
  ageMs = $derived.by(() => {
    const w = this.latestComplete;
    return w && this.serverNow !== null
      ? Math.max(0, this.serverNow - (w.windowStart + w.windowMs))
      : null;
  });
  notes = $derived.by(() => {
    const data = this.data;
    const spanText = (sp: Span) => SPANS.find((x) => x.value === sp)?.label.toLowerCase() ?? '';
    const top = this.top;
    return {
      traffic: data
        ? `${stepLabel(data.step)} buckets, average rate, stacked by action · click: records · drag: zoom`
        : `per ${windowLabel(this.windowMs)} window, stacked by action · click: records · drag: zoom`,
      ratio: this.ratioTotals ? `${this.ratioTotals.label}, bytes` : 'bytes',
      rtime: data ? `per ${stepLabel(data.step)} bucket` : 'per window, last 60 min',
      map: data ? `CCN, ${this.historyLabel}` : `CCN, ${spanText(this.mapSpan)}`,
      matrix: data
        ? `source → destination, ${this.historyLabel}`
        : `source → destination, ${spanText(this.matrixSpan)}`,
      top: data
        ? 'exact, over the range'
        : top.windows === 0
          ? ''
          : top.approximate
            ? `≈ sum of ${top.windows} per-window top lists`
            : `window ${formatHm(this.latestComplete?.windowStart ?? 0)}`,
      protocol: data ? 'bytes, whole range' : `bytes, ${this.topRangeLabel.toLowerCase()}`,
    };
  });
  /** What the traffic chart says when it has nothing to draw. */
  emptyText = $derived(
    this.data
      ? 'No traffic in this range'
      : this.firstExpected !== null && this.windows.length === 0
        ? `A new flow log: first records expected by ${formatHm(this.firstExpected)}`
        : 'Waiting for the first capture window…',
  );

  // ---- loading and errors ----
  loading = $derived.by(
    () => this.mode === 'history' && (this.history.loading || (!this.data && !this.history.error)),
  );
  queryError = $derived.by(() =>
    this.history.error?.code === 'bad_query' ? this.history.error : null,
  );
  panelError = $derived.by(() => {
    const e = this.mode === 'history' ? this.history.error : null;
    if (!e) return null;
    if (e.code === 'bad_query')
      return 'The filter is not valid (see above): showing the last data.';
    return `Could not load the range: ${e.message}`;
  });
}
