/**
 * The project's imaging benchmark: procedurally drawn chest films whose single finding comes from
 * a small knowledge base of conditions, management questions that need the film read and then one
 * knowledge step, held-out side/size combinations in the test split, planted label errors, and a
 * scene description per film that only the scene-grounded teacher reads.
 */
export { type DrawnFinding, drawChestFilm, type GrayImage } from './draw-study.js';
export {
  buildImagingBenchmark,
  type ImagingBenchmark,
  type ImagingBenchmarkOptions,
  imagingBenchmarkOptionsSchema,
  type ResolvedImagingOptions,
  type StudyTruth,
} from './generate-imaging.js';
export {
  defaultImagingKnowledgeBase,
  describeSignature,
  type ImagingCondition,
  ImagingKnowledgeBase,
  type ImagingSignature,
} from './imaging-knowledge.js';
export { describeScene } from './scene-description.js';
export {
  readScene,
  type SceneRationale,
  type SceneReading,
  type SceneSampling,
  SceneTeacher,
} from './scene-teacher.js';
export { encodeGrayPng, writeImagingImages } from './write-imaging.js';
