/** The review console (`medistill view`) and review decision files: read a run, review teacher texts. */
export { checkBindOptions, isLoopbackHost } from './access-rule.js';
export { filterTraces, type ItemFilter, itemFilterSchema } from './item-filter.js';
export { type ItemTrace, readItemTraces, type StageAnswer, type TeacherText } from './item-trace.js';
export { recordReview } from './record-review.js';
export {
  exportReviews,
  importReviews,
  parseReviewsJsonl,
  runExportReviews,
  runImportReviews,
} from './review-jsonl.js';
export { type RunSnapshot, readRunDirectory, type StrategyRun } from './run-directory.js';
export { runViewServer, type ViewServer, type ViewServerOptions } from './run-view-server.js';
