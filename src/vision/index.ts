/** Vision: image preparation, the visual-grounding analysis and LiteMedCoT-VL's teacher rationales. */

export {
  conditionLabels,
  groundingBaselines,
  renderGroundingChart,
} from '../report/charts/grounding-chart.js';
export { formatGroundingTable } from '../report/grounding-table.js';
export {
  type CotVlExample,
  generateVisualRationales,
  splitRationale,
  type VisualRationale,
  type VisualRationaleOptions,
  type VisualRationaleResult,
  visualRationalePrompt,
} from './cot-vl.js';
export {
  type CotVlTrainingSet,
  type CotVlTrainingSetOptions,
  cotVlTarget,
  finalAnswerLine,
  writeCotVlTrainingSet,
} from './cot-vl-training-set.js';
export { seededDerangement } from './derangement.js';
export {
  type ConditionOutcome,
  type GroundingCondition,
  type GroundingItemResult,
  type GroundingOptions,
  type GroundingResult,
  groundingConditions,
  runGroundingAnalysis,
} from './grounding.js';
export type { ConditionComparison, ConditionSummary, GroundingSummary } from './grounding-summary.js';
export { summarizeGrounding } from './grounding-summary.js';
export {
  defaultImageLimits,
  type ImageLimits,
  type ImageLimitsInput,
  imageLimitsSchema,
  type TargetSize,
  targetSize,
} from './image-limits.js';
export {
  describeImage,
  ImageProblemError,
  imageProblem,
  type PreparedImage,
  VisionImages,
  type VisionImagesOptions,
} from './images.js';
export {
  type ClosedItem,
  isClosedItem,
  type VisionPromptOptions,
  visionMessages,
  visionQuestionPrompt,
} from './vision-prompt.js';
