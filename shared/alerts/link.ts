// The link of an alert notice: the topic's dashboard over the episode's windows with the record
// table open on the rule's query (the drill-down the page reads from its URL), so a person lands
// on exactly the records that made it fire.
export function alertLink(
  base: string,
  topicId: string,
  from: number,
  to: number,
  q: string,
  label: string,
): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  // (No URLSearchParams: shared code runs without the DOM's or Node's globals.)
  const query = Object.entries({
    from: iso(from),
    to: iso(to),
    drill: `${from},${to}`,
    dq: q,
    dlabel: label,
  })
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${base}/topics/${encodeURIComponent(topicId)}?${query}`;
}
