import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { benchmarkOptionsSchema } from '../../benchmark/generate.js';
import { imagingBenchmarkOptionsSchema } from '../../benchmark/imaging/generate-imaging.js';
import {
  parseEngineSettings,
  trainingEngineNames,
  trainsHfStudents,
} from '../../compose/create-training-engine.js';
import { evaluationRoutes } from '../../compose/student-loader.js';
import { QUANTIZE_TYPES, type QuantizeType } from '../../engines/llama-cpp/quantize-model.js';
import { ConfigError } from '../../errors.js';
import { defaultPrivacyPolicy, privacyPolicySchema } from '../../privacy/policy.js';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import { imageLimitsSchema } from '../../vision/image-limits.js';
import { strategies } from '../strategies/registry.js';
import { teacherRoles, templateOverrideSchema } from '../teacher/prompt-templates.js';

const hyperparametersSchema = z.strictObject({
  epochs: z.number().int().positive().default(defaultHyperparameters.epochs),
  learningRate: z.number().positive().default(defaultHyperparameters.learningRate),
  batchSize: z.number().int().positive().default(defaultHyperparameters.batchSize),
  validationSplit: z.number().min(0).max(0.5).default(defaultHyperparameters.validationSplit),
  seed: z.number().int().default(defaultHyperparameters.seed),
  loraRank: z.number().int().positive().optional(),
  loraAlpha: z.number().positive().optional(),
  warmupRatio: z.number().min(0).max(1).default(defaultHyperparameters.warmupRatio),
  weightDecay: z.number().min(0).default(defaultHyperparameters.weightDecay),
  gradientClipNorm: z.number().positive().default(defaultHyperparameters.gradientClipNorm),
  earlyStoppingPatience: z.number().int().positive().optional(),
  maxLength: z.number().int().positive().optional(),
});

/** The project benchmark as data: the generator's own options, validated by its own schema. */
const benchmarkDataSchema = z.strictObject({ benchmark: benchmarkOptionsSchema });
/** The project's imaging benchmark (chest films), for vision students. */
const imagingBenchmarkDataSchema = z.strictObject({ imagingBenchmark: imagingBenchmarkOptionsSchema });

/** A distillation run, as `medistill run config.yaml` reads it. Strict: an unknown key is a mistake. */
export const runConfigSchema = z.strictObject({
  name: z.string().default('medistill-run'),
  /** `knowledge-base` (the project's offline teacher, with the benchmark) or a model spec. */
  teacher: z.string().min(1),
  judge: z.string().optional(),
  language: z.enum(['en', 'zh']).default('en'),
  /** Ask the teacher for JSON against a schema per role (constrained decoding) instead of free text. */
  structuredOutput: z.boolean().default(false),
  /** Caps on each teacher reply: tokens generated, and in structured mode characters of reasoning. */
  teacherLimits: z
    .strictObject({
      maxTokens: z.number().int().positive().default(1024),
      maxCharacters: z.number().int().positive().default(4000),
    })
    .default({ maxTokens: 1024, maxCharacters: 4000 }),
  prompts: z.partialRecord(z.enum(teacherRoles), templateOverrideSchema).default({}),
  student: z.strictObject({
    /**
     * A GGUF file, or `new` to make a random-weight student sized by `shape`; for the GPU engines
     * (`transformers`, `llamafactory`) a Hugging Face model folder or hub id; for `together` a
     * model of its catalog.
     */
    model: z.string().min(1),
    /**
     * A vision student's image encoder and projector: an mmproj GGUF beside `model`, or `new`
     * (with `model: new`) for a tiny random one. Required when the data has images.
     */
    projector: z.string().min(1).optional(),
    shape: z
      .strictObject({
        layers: z.number().int().positive().default(2),
        embeddingLength: z.number().int().positive().default(128),
        contextLength: z.number().int().positive().default(256),
        tokenizer: z.enum(['bpe', 'word']).default('word'),
        seed: z.number().int().default(1),
      })
      .optional(),
    engine: z.enum(trainingEngineNames).default('tfjs'),
    /** The engine's own settings (launcher, DeepSpeed, nodes, Python, ...), checked by the engine's schema. */
    engineSettings: z.record(z.string(), z.unknown()).optional(),
    /**
     * How trained students are evaluated: `llama-cpp` for GGUF students (the default for tfjs);
     * for Hugging Face students `gguf` (convert, then llama.cpp; the default) or `server` (an
     * OpenAI-compatible server the user runs, e.g. vLLM or SGLang, named by `server`, which loads
     * LoRA adapters by name). Hosted engines' students are evaluated where they are hosted.
     */
    evaluation: z
      .strictObject({
        route: z.enum(evaluationRoutes),
        /** `server` route: a model spec whose `#model` is the served base student. */
        server: z.string().min(1).optional(),
        /** `server` route: how adapters are loaded (`none`: already loaded under their served names). */
        adapterLoading: z.enum(['vllm', 'sglang', 'none']).default('vllm'),
        /** `gguf` route: the type converted weights are stored in. */
        ggufType: z.enum(['f32', 'f16', 'bf16']).default('f16'),
      })
      .optional(),
    training: hyperparametersSchema.default(() => hyperparametersSchema.parse({})),
    stage2Training: hyperparametersSchema.optional(),
    maxAnswerTokens: z.number().int().positive().default(256),
  }),
  data: z.strictObject({
    train: z.union([z.string().min(1), benchmarkDataSchema, imagingBenchmarkDataSchema]),
    test: z.string().min(1).optional(),
    format: z.string().optional(),
    /** Where relative image paths of the data resolve (default: beside the data file). */
    imageRoot: z.string().min(1).optional(),
    limitTrain: z.number().int().positive().optional(),
    limitTest: z.number().int().positive().optional(),
  }),
  strategies: z.array(z.string()).min(1),
  seeds: z.array(z.number().int()).min(1).default([1]),
  /** Teacher samples per item for screening and self-consistency. */
  samples: z.number().int().positive().default(1),
  rounds: z.number().int().positive().default(3),
  /**
   * Mix the stage-1 examples of items the student already answers right into stage 2, so a few
   * corrections cannot overwrite what it knows (measured: 13 corrections alone took a student from
   * 82.6% to 21.2%). Off trains on the corrections alone, as the paper describes.
   */
  stage2Replay: z.boolean().default(true),
  concurrency: z.number().int().positive().default(8),
  parallelStrategies: z.number().int().positive().default(2),
  /** Last stage: export the reference student to these types and measure each (`medistill footprint`). */
  deploy: z
    .strictObject({
      types: z
        .array(z.enum(Object.keys(QUANTIZE_TYPES) as [QuantizeType, ...QuantizeType[]]))
        .min(1, 'list at least one type, e.g. [q8_0, q4_k_m]'),
    })
    .optional(),
  budget: z
    .strictObject({
      maxCost: z.number().positive().optional(),
      maxTokens: z.number().int().positive().optional(),
    })
    .optional(),
  /** Limits on the images sent to the teacher and the student (size, encoding); data with images only. */
  images: imageLimitsSchema.optional(),
  /** Where item text may be sent; `local-only` unless the config says otherwise (decision 0010). */
  privacy: privacyPolicySchema.default(defaultPrivacyPolicy),
});
export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** Parse a config, naming the file and the offending field. */
export function parseRunConfig(value: unknown, file: string): RunConfig {
  const parsed = runConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  checkStudentEngine(parsed.data.student, file);
  // Stage 2 continues stage 1's adapter, so with a LoRA stage 1 it must train LoRA of the same
  // rank and alpha (alpha / rank scales what the adapter computes); refuse before any work.
  const { training, stage2Training } = parsed.data.student;
  if (training.loraRank !== undefined && stage2Training) {
    const alpha = (settings: { loraRank?: number | undefined; loraAlpha?: number | undefined }) =>
      settings.loraAlpha ?? 2 * (settings.loraRank ?? 0);
    if (stage2Training.loraRank !== training.loraRank || alpha(stage2Training) !== alpha(training))
      throw new ConfigError(
        `${file}: student.stage2Training.loraRank: stage 2 continues stage 1's LoRA adapter, so it needs the same loraRank (${training.loraRank}) and loraAlpha (${alpha(training)})`,
      );
  }
  // MedThink's stage 2 continues stage 1's adapter, which the embedded and transformers engines
  // do and LLaMA-Factory and hosted fine-tuning cannot yet; refuse before stage 1 is paid for.
  const continuing = parsed.data.strategies.filter(
    (name) => strategies.find((strategy) => strategy.name === name)?.continuesTraining,
  );
  const engine = parsed.data.student.engine;
  if (
    training.loraRank !== undefined &&
    (engine === 'llamafactory' || engine === 'together') &&
    continuing.length > 0
  )
    throw new ConfigError(
      `${file}: student.training.loraRank: ${continuing.join(', ')} continue stage 1's LoRA adapter in stage 2, which the ${engine} engine cannot do yet; train the student fully (remove loraRank) or use engine transformers`,
    );
  // A LoRA stage keeps the base model's path and writes only an adapter, so a vision stage's
  // trained mmproj would have no model of its own to sit beside; the embedded vision student
  // trains full (decision 0016). Refuse the pairing before any work.
  for (const field of ['training', 'stage2Training'] as const) {
    if (parsed.data.student.projector !== undefined && parsed.data.student[field]?.loraRank !== undefined)
      throw new ConfigError(
        `${file}: student.${field}.loraRank: vision runs train the full student for now (a LoRA stage would lose its trained projector); remove loraRank, or train a LoRA vision student with \`medistill train --mmproj --lora\``,
      );
  }
  return parsed.data;
}

/** The engine's settings and the evaluation route must suit the engine; checked before any work. */
function checkStudentEngine(student: RunConfig['student'], file: string): void {
  const engine = student.engine;
  student.engineSettings = parseEngineSettings(
    engine,
    student.engineSettings,
    `${file}: student.engineSettings`,
  ) as Record<string, unknown> | undefined;
  const route = student.evaluation?.route;
  if (!trainsHfStudents(engine)) {
    if (route !== undefined && route !== 'llama-cpp')
      throw new ConfigError(
        `${file}: student.evaluation.route: the ${engine} engine trains GGUF students, evaluated in llama.cpp (route llama-cpp)`,
      );
    return;
  }
  if (student.model === 'new')
    throw new ConfigError(
      `${file}: student.model: \`new\` makes a GGUF student for the embedded engine; the ${engine} engine starts from a Hugging Face model (a folder or hub id)`,
    );
  if (route === 'llama-cpp')
    throw new ConfigError(
      `${file}: student.evaluation.route: a Hugging Face student is evaluated through \`gguf\` (converted) or \`server\`, not llama-cpp directly`,
    );
  if (engine === 'together' && route !== undefined && route !== 'server')
    throw new ConfigError(
      `${file}: student.evaluation.route: a hosted student is evaluated where it is hosted (route server)`,
    );
  if (route === 'server' && student.evaluation?.server === undefined && engine !== 'together')
    throw new ConfigError(
      `${file}: student.evaluation.server: the server route needs the server's model spec, e.g. vllm:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-1.5B-Instruct`,
    );
}

export async function readRunConfig(path: string): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read run config ${path}`, { cause: error });
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  return parseRunConfig(value, path);
}
