/** medistill's public API, listed by name. Internals stay internal. */
export * from './errors.js';

// Models: the LanguageModel seam, specs, the OpenAI-compatible adapter, middleware; the resolver.
export * from './models/index.js';
export { createModelResolver, type ModelResolverOptions, type ResolveModel } from './models/resolve-model.js';

// The run store: call log (the cache), stages, items, the stage runner.
export * from './store/index.js';

// Embedded engines: GGUF, tokenizers, model factory, llama.cpp runtime, TensorFlow.js trainer.
export { readGgufHeader, readGgufTensors } from './gguf/read-gguf.js';
export { writeGguf } from './gguf/write-gguf.js';
export { Tokenizer, type TokenizerData } from './tokenizer/tokenizer.js';
export { trainTokenizer, type TrainTokenizerOptions } from './tokenizer/train-bpe.js';
export { CHATML_TEMPLATE, renderChat } from './tokenizer/chat-template.js';
export type { LlamaConfig, LlamaWeights } from './model/llama-config.js';
export { parameterCount } from './model/llama-config.js';
export { createModel, createModelFile, type CreateModelOptions } from './model/create-model.js';
export { type LlamaModel, readLlamaModel, writeLlamaModel } from './model/llama-model-file.js';
export { type ModelInfo, modelInfo } from './model/model-info.js';
export { LlamaCppRuntime } from './engines/llama-cpp/llama-cpp-runtime.js';
export type { GgufLanguageModel } from './engines/llama-cpp/gguf-language-model.js';
export type { LlamaCppModelOptions } from './engines/llama-cpp/runtime-options.js';
export { TfjsTrainingEngine } from './engines/tfjs/tfjs-training-engine.js';
export type * from './training/training-engine.js';
export { defaultHyperparameters } from './training/training-engine.js';
export { createTrainingEngine, trainingEngineNames } from './training/create-training-engine.js';

// Datasets: item model, loaders, splits, exports.
export * from './datasets/index.js';

// Methods: teachers, strategies, runs; the project benchmark and the demo.
export type { Teacher, RationaleStyle } from './methods/teacher/teacher.js';
export { LlmTeacher, type LlmTeacherOptions } from './methods/teacher/llm-teacher.js';
export { KnowledgeBaseTeacher } from './methods/teacher/knowledge-base-teacher.js';
export { builtInTemplates, resolveTemplates, teacherRoles } from './methods/teacher/prompt-templates.js';
export { strategies, strategyNamed, strategyNames } from './methods/strategies/registry.js';
export type { Strategy, StrategyOutcome } from './methods/strategies/strategy.js';
export { runDistillation, type DistillationSetup } from './methods/run/run-distillation.js';
export { parseRunConfig, readRunConfig, type RunConfig, runConfigSchema } from './methods/run/run-config.js';
export type { DistillationResults } from './methods/run/results.js';
export * from './benchmark/index.js';
export { runDemo, type DemoOptions, type DemoSummary } from './demo/run-demo.js';

// Vision: images, grounding analysis, CoT-VL training sets; the LLaMA-Factory engine.
export * from './vision/index.js';
export * from './engines/llama-factory/index.js';
export { writeVisionProjectorFile } from './model/vision-projector.js';

// Evaluation and reports.
export { evaluate } from './eval/evaluate.js';
export { extractChoice } from './eval/extract-choice.js';
export * from './eval/statistics/index.js';
export { renderHtmlReport } from './report/render-html-report.js';
export { renderMarkdownReport } from './report/render-markdown-report.js';
export { compareRuns } from './report/compare-runs.js';
export { runReportSchema, type RunReport } from './report/run-report.js';
