/** The run store: the call log (which is also the response cache), stages, items, and the stage runner. */
export type { CallRecord } from '../models/call-record.js';
export { canonicalJson, contentHash, sha256Hex } from '../util/canonical-json.js';
export type { CallTotals, LoggedCall } from './call-log.js';
export { CallLog } from './call-log.js';
export {
  type ReviewDecision,
  ReviewLog,
  type ReviewVerdict,
  reviewTargetKey,
} from './review-log.js';
export {
  type AcquireRunLockOptions,
  acquireRunLock,
  type RunLock,
  readRunLock,
  runLockFileName,
  withRunLock,
} from './run-lock.js';
export { type OpenRunStoreOptions, RunStore, runStoreFileName } from './run-store.js';
export type { StageProgress } from './stage-progress.js';
export type { ItemRecord, ItemStatus, StageRecord, StageStatus } from './stage-records.js';
export { StageRecords } from './stage-records.js';
export {
  type RunModelStageOptions,
  runModelStage,
  type StageFailure,
  type StageOutcome,
} from './stage-runner.js';
