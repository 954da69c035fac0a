import { ConfigError } from '../../errors.js';

/**
 * LLaMA-Factory's chat template for a student model, from its name or path: the template must
 * be the one the model was trained with, or the student learns a format it is never asked in.
 * Qwen2-VL and Qwen2.5-VL share `qwen2_vl`; Qwen3-VL has a reasoning template and a no-think
 * one. Other families need an explicit `template`.
 */
export function templateForModel(model: string, options: { thinking?: boolean } = {}): string {
  const name = model.toLowerCase().split(/[\\/]/).filter(Boolean).join('/');
  if (/qwen3[-_.]?vl/.test(name)) return (options.thinking ?? true) ? 'qwen3_vl' : 'qwen3_vl_nothink';
  if (/qwen2(?:\.5)?[-_.]?vl/.test(name)) return 'qwen2_vl';
  throw new ConfigError(
    `cannot tell the LLaMA-Factory template for "${model}": name it with the template setting (e.g. qwen2_vl, qwen3_vl)`,
  );
}
