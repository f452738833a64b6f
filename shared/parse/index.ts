// The flow-log parser: formats, the stateful line parser and the documented view of a record.
export type {
  FormatSpec,
  LineParser,
  LineResult,
  LogFormat,
  ParseError,
  ParseErrorCode,
} from './types.ts';
export { CCN_FORMAT, ENI_FORMAT, parseFormatSpec } from './format.ts';
export {
  MAX_FLOW_SPAN_SECONDS,
  MAX_LINE_LENGTH,
  createLineParser,
  tooLongReason,
} from './line-parser.ts';
export type { DocumentedRecord } from './documented.ts';
export { recordToDocumented } from './documented.ts';
export { isIPv4, isIPv6, isIpAddress } from './scan.ts';
