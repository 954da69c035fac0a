import { z } from 'zod';

/**
 * How medistill runs LLaMA-Factory. Strict: this comes from a config file or flags, and a
 * misspelt key must fail before a multi-hour GPU job starts, not after.
 */
export const distributedSettingsSchema = z.strictObject({
  /** Machines in the job (NNODES). */
  nodes: z.number().int().positive(),
  /** This machine's rank (NODE_RANK), 0 on the master. */
  nodeRank: z.number().int().nonnegative(),
  masterAddress: z.string().min(1),
  masterPort: z.number().int().min(1).max(65535),
  /** GPUs used on each machine (NPROC_PER_NODE); torchrun's default (all) when absent. */
  processesPerNode: z.number().int().positive().optional(),
});

export const llamaFactorySettingsSchema = z.strictObject({
  /**
   * The command that runs LLaMA-Factory, as argv words: `llamafactory-cli` from PATH by default,
   * or e.g. `["/opt/venv/bin/llamafactory-cli"]`; `train <yaml>` is appended.
   */
  command: z.array(z.string().min(1)).min(1).default(['llamafactory-cli']),
  /** LLaMA-Factory's chat template; derived from the model family when absent. */
  template: z.string().min(1).optional(),
  /** For Qwen3-VL: train the reasoning template (`qwen3_vl`) or the no-think one. */
  thinking: z.boolean().default(true),
  loraTarget: z.string().min(1).default('all'),
  freezeVisionTower: z.boolean().default(true),
  /** Largest image in pixels the processor feeds the vision tower (LLaMA-Factory's default). */
  imageMaxPixels: z
    .number()
    .int()
    .positive()
    .default(768 * 768),
  /** Longest example in tokens, when the job does not say (`maxLength`). */
  cutoffLength: z.number().int().positive().default(2048),
  gradientAccumulationSteps: z.number().int().positive().default(1),
  learningRateScheduler: z.string().min(1).default('cosine'),
  bf16: z.boolean().default(true),
  /** A DeepSpeed config file (e.g. ZeRO-2) for several GPUs. */
  deepspeed: z.string().min(1).optional(),
  loggingSteps: z.number().int().positive().default(5),
  saveSteps: z.number().int().positive().default(100),
  /** Several machines: set FORCE_TORCHRUN and the rendezvous variables. */
  distributed: distributedSettingsSchema.optional(),
  /** Extra environment for the process (CUDA_VISIBLE_DEVICES, HF_HOME, ...). */
  environment: z.record(z.string(), z.string()).default({}),
  /** Extra YAML keys, merged last (e.g. `{ "flash_attn": "fa2" }`). */
  extraArguments: z.record(z.string(), z.unknown()).default({}),
  /** How often the trainer log is read for progress, in milliseconds. */
  pollIntervalMs: z.number().int().positive().default(1000),
});
export type LlamaFactorySettings = z.infer<typeof llamaFactorySettingsSchema>;
export type LlamaFactorySettingsInput = z.input<typeof llamaFactorySettingsSchema>;
export type DistributedSettings = z.infer<typeof distributedSettingsSchema>;

/** The environment variables LLaMA-Factory's launcher reads for a multi-node job. */
export function distributedEnvironment(distributed: DistributedSettings | undefined): Record<string, string> {
  if (!distributed) return {};
  return {
    FORCE_TORCHRUN: '1',
    NNODES: String(distributed.nodes),
    NODE_RANK: String(distributed.nodeRank),
    MASTER_ADDR: distributed.masterAddress,
    MASTER_PORT: String(distributed.masterPort),
    ...(distributed.processesPerNode === undefined
      ? {}
      : { NPROC_PER_NODE: String(distributed.processesPerNode) }),
  };
}
