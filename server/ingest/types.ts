// What every source hands the ingest pipeline: raw text lines of one topic, tagged with the source
// they came from (each source gets its own parser, so header lines apply per source).

export interface LineBatch {
  topicId: string;
  /** The log stream the lines were written for; the pipeline still reads each record's own stream. */
  streamId: string;
  /** A stable name of the source (`simulator`, a file path...): its lines share one parser. */
  source: string;
  /** Lines without terminators, in the order they were written. */
  lines: string[];
}
