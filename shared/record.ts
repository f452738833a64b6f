// The flow-log record model shared by the server and the client. No Node and no DOM here.

export type Action = 'ACCEPT' | 'REJECT';
export type LogStatus = 'OK' | 'NODATA' | 'SKIPDATA';
/** Which layout a record was read with: the 14-field ENI/NAT format, the 16-field CCN format, or a custom field list. */
export type FormatKind = 'eni' | 'ccn' | 'custom';

/**
 * One parsed flow-log record. `null` means the source wrote `-` (no value), or the field is not part
 * of the record's format. Times are epoch seconds, as written in the log.
 */
export interface FlowRecord {
  format: FormatKind;
  version: string | null;
  accountId: string | null;
  interfaceId: string | null;
  srcaddr: string | null;
  dstaddr: string | null;
  srcport: number | null;
  dstport: number | null;
  protocol: number | null;
  packets: number | null;
  bytes: number | null;
  start: number | null;
  end: number | null;
  action: Action | null;
  logStatus: LogStatus | null;
  /** CCN only: the cloud connect network instance. */
  ccnId: string | null;
  /** CCN only: source region of the traffic (`srcregionid`). */
  srcRegion: string | null;
  /** CCN only: destination region of the traffic (`dstregionid`). */
  dstRegion: string | null;
  /** CCN only: the region that wrote the record (`region-id`). */
  regionId: string | null;
  /** Every other field of a custom format, under its documented name (`tcp-flags`, `vpc-id`...). */
  extra: Record<string, string | number | null> | null;
}

/** The log stream a record belongs to: its ENI (or NAT gateway ENI), or for CCN the reporting region. */
export function streamIdOf(r: FlowRecord): string {
  if (r.format === 'ccn') return `${r.ccnId ?? '-'}/${r.regionId ?? '-'}`;
  return r.interfaceId ?? '-';
}

/** Quintuple key: source, source port, destination, destination port, protocol. */
export function quintupleKey(
  r: Pick<FlowRecord, 'srcaddr' | 'srcport' | 'dstaddr' | 'dstport' | 'protocol'>,
): string {
  return `${r.srcaddr}|${r.srcport}|${r.dstaddr}|${r.dstport}|${r.protocol}`;
}
