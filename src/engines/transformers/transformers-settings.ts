import { z } from 'zod';
import { distributedSettingsSchema } from '../llama-factory/llama-factory-settings.js';

/**
 * How medistill runs the transformers + peft worker. Strict: this comes from a run config or
 * flags, and a misspelt key must fail before a GPU job starts.
 */
export const transformersSettingsSchema = z.strictObject({
  /** The Python that has torch, transformers and peft, as argv words (default `python3` from PATH). */
  python: z.array(z.string().min(1)).min(1).default(['python3']),
  /**
   * How the worker starts: `python` (one process; one GPU, or CPU), `torchrun` or `accelerate`
   * (one process per GPU, and several machines with `distributed`).
   */
  launcher: z.enum(['python', 'torchrun', 'accelerate']).default('python'),
  /** Processes (GPUs) per machine for `torchrun` / `accelerate`; default: every visible GPU. */
  processesPerNode: z.number().int().positive().optional(),
  /** Several machines: the rendezvous, as torchrun reads it (NNODES, NODE_RANK, MASTER_ADDR, MASTER_PORT). */
  distributed: distributedSettingsSchema.optional(),
  /** An accelerate config file (FSDP, DeepSpeed) for the `accelerate` launcher. */
  accelerateConfig: z.string().min(1).optional(),
  /** A DeepSpeed config file handed to the Trainer (`TrainingArguments.deepspeed`). */
  deepspeed: z.string().min(1).optional(),
  /** Linear layers that get LoRA factors: `all-linear` (default) or module names, e.g. [q_proj, v_proj]. */
  loraTarget: z.union([z.literal('all-linear'), z.array(z.string().min(1)).min(1)]).default('all-linear'),
  loraDropout: z.number().min(0).max(1).default(0.05),
  /** Vision models: keep the vision tower frozen (LoRA and full alike). */
  freezeVisionTower: z.boolean().default(true),
  /** Compute precision: `bf16` and `fp16` need a GPU; `auto` picks bf16 on a GPU that has it, else f32. */
  precision: z.enum(['auto', 'bf16', 'fp16', 'fp32']).default('auto'),
  gradientAccumulationSteps: z.number().int().positive().default(1),
  gradientCheckpointing: z.boolean().default(false),
  learningRateScheduler: z.string().min(1).default('cosine'),
  /** Longest example in tokens when the job gives no `maxLength`; a longer one is an input error. */
  cutoffLength: z.number().int().positive().default(2048),
  /** Steps between progress lines. */
  loggingSteps: z.number().int().positive().default(5),
  /** Steps between checkpoints; absent: one checkpoint per epoch. */
  saveSteps: z.number().int().positive().optional(),
  /** The attention kernel (`eager`, `sdpa`, `flash_attention_2`); transformers' default when absent. */
  attention: z.string().min(1).optional(),
  /** Extra environment for the process (CUDA_VISIBLE_DEVICES, HF_HOME, HF_HUB_OFFLINE, ...). */
  environment: z.record(z.string(), z.string()).default({}),
  /** Extra TrainingArguments, merged last (e.g. `{ "optim": "adamw_torch_fused" }`). */
  extraArguments: z.record(z.string(), z.unknown()).default({}),
});
export type TransformersSettings = z.infer<typeof transformersSettingsSchema>;
export type TransformersSettingsInput = z.input<typeof transformersSettingsSchema>;
