export { isIsoDate } from './dates.js';
export { BatchBuilder, type RecordRules } from './batch.js';
export { parseCsv, type CsvOptions } from './csv.js';
export { parseJson, type JsonOptions } from './json.js';
export { expectedColumns, type ExpectedColumn } from './columns.js';
export { parsePushBody, MAX_PUSH_RECORDS, TERMINATED_STATUS, type PushBatch, type PushOptions } from './push.js';
export { CHANGED_AT_FIELD, skipOutOfOrder, skippedDiagnostic, type SkippedRecord } from './push-order.js';
export { readFileSource } from './file.js';
export { readSource, sourceCursorKey, type SourceRead } from './read.js';
export {
  readDirectorySource, DEFAULT_FILTERS, DEFAULT_FULL_EVERY, DEFAULT_DISABLED_STATUS, isDirectorySource,
  type DirectoryCursor, type DirectoryRead, type PassMode,
} from './directory/index.js';
