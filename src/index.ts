/**
 * medistill's public API, listed by name. Internals stay internal. Importing it loads no native
 * code (llama.cpp, TensorFlow.js, sharp, SQLite): each loads when first used. The subpath entries
 * (`medistill/eval`, `/datasets`, `/models`, `/engines/llama-cpp`, `/engines/tfjs`) load only their part.
 */

export * from './benchmark/index.js';
export { createTrainingEngine, trainingEngineNames } from './compose/create-training-engine.js';
export {
  createModelResolver,
  type ModelResolverOptions,
  type ResolveModel,
} from './compose/resolve-model.js';
export { spentSoFar, type TeacherModelOptions, wrapTeacherModel } from './compose/teacher-model-stack.js';
// Datasets: item model, loaders, splits, exports.
export * from './convert/index.js';
export * from './datasets/index.js';
export { type DemoOptions, type DemoSummary, runDemo } from './demo/run-demo.js';
export { runVisionDemo, type VisionDemoOptions, type VisionDemoSummary } from './demo/run-vision-demo.js';
export * from './engines/llama-cpp/index.js';
export * from './engines/llama-factory/index.js';
export * from './engines/tfjs/index.js';
export * from './errors.js';
// Evaluation and reports.
export * from './eval/index.js';
// Embedded engines: GGUF, tokenizers, model factory, llama.cpp runtime, TensorFlow.js trainer.
export { tensorToFloat32 } from './gguf/quant/tensor-to-float32.js';
export { readGgufHeader, readGgufTensors } from './gguf/read-gguf.js';
export { writeGguf } from './gguf/write-gguf.js';
export type { DistillationResults } from './methods/run/results.js';
export { parseRunConfig, type RunConfig, readRunConfig, runConfigSchema } from './methods/run/run-config.js';
export { type DistillationSetup, runDistillation } from './methods/run/run-distillation.js';
export { strategies, strategyNamed, strategyNames } from './methods/strategies/registry.js';
export type { Strategy, StrategyOutcome } from './methods/strategies/strategy.js';
export { KnowledgeBaseTeacher } from './methods/teacher/knowledge-base-teacher.js';
export { LlmTeacher, type LlmTeacherOptions } from './methods/teacher/llm-teacher.js';
export { builtInTemplates, resolveTemplates, teacherRoles } from './methods/teacher/prompt-templates.js';
export { SceneGroundedTeacher } from './methods/teacher/scene-grounded-teacher.js';
// Methods: teachers, strategies, runs; the project benchmark and the demo.
export type { RationaleStyle, Teacher } from './methods/teacher/teacher.js';
export { VisionLlmTeacher } from './methods/teacher/vision-llm-teacher.js';
export { type CreateModelOptions, createModel, createModelFile } from './model/create-model.js';
export type { LlamaConfig, LlamaWeights } from './model/llama-config.js';
export { parameterCount } from './model/llama-config.js';
export { type LlamaModel, readLlamaModel, writeLlamaModel } from './model/llama-model-file.js';
export { type ModelInfo, modelInfo } from './model/model-info.js';
export { writeVisionProjectorFile } from './model/vision-projector.js';
export {
  createVisionStudent,
  type VisionStudentFiles,
  type VisionStudentOptions,
} from './model/vision-student.js';
// Models: the LanguageModel seam, specs, the OpenAI-compatible adapter, middleware; the resolver.
export * from './models/index.js';
// Privacy: policy, endpoint check and pin, identifier scan, egress audit, purge.
export * from './privacy/index.js';
export { compareRuns } from './report/compare-runs.js';
export { renderHtmlReport } from './report/render-html-report.js';
export { renderMarkdownReport } from './report/render-markdown-report.js';
export { type RunReport, runReportSchema } from './report/run-report.js';
// The run store: call log (the cache), stages, items, the stage runner.
export * from './store/index.js';
export { CHATML_TEMPLATE, renderChat } from './tokenizer/chat-template.js';
export { Tokenizer, type TokenizerData } from './tokenizer/tokenizer.js';
export { type TrainTokenizerOptions, trainTokenizer } from './tokenizer/train-bpe.js';
export { defaultHyperparameters } from './training/default-hyperparameters.js';
export type * from './training/training-engine.js';
// Vision: images, grounding analysis, CoT-VL training sets; the LLaMA-Factory engine.
export * from './vision/index.js';
