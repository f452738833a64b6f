// What every source hands the ingest pipeline (pipeline.ts): lines of one topic from one origin.
export type { LineBatch, LineItem, OriginState } from './pipeline.ts';
