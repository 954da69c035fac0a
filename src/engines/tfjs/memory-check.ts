import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { TrainingError } from '../../errors.js';
import { GgmlType, ggmlTypeName } from '../../gguf/gguf-types.js';
import { elementCount, readGgufHeader } from '../../gguf/read-gguf.js';

/** wasm32 addresses at most 4 GiB: the trainer's whole heap lives there. */
const WASM_HEAP_LIMIT = 4 * 1024 ** 3;
const GIB = 1024 ** 3;

/**
 * The least memory training needs: F32 weights, gradients and two AdamW moments (16 bytes per
 * trained parameter) or, with LoRA, the frozen F32 weights (4 bytes each) plus the adapter.
 * Activations come on top, so this only refuses models that cannot possibly fit. The count is the
 * same for a quantized file: its weights are dequantized to F32 in the heap (a Q4_K file is about
 * a seventh of that).
 */
export function minimumTrainingBytes(parameters: number, lora: boolean): number {
  return lora ? parameters * 4 + parameters * 0.05 * 16 : parameters * 16;
}

/** Refuse, before any weight is read, a model the embedded trainer cannot hold. */
export async function assertTrainable(
  modelPath: string,
  lora: boolean,
  machineBytes = totalmem(),
): Promise<void> {
  const header = await readGgufHeader(modelPath);
  const parameters = header.tensors.reduce((sum, tensor) => sum + elementCount(tensor.shape), 0);
  const needed = minimumTrainingBytes(parameters, lora);
  const available = Math.min(WASM_HEAP_LIMIT, machineBytes * 0.8);
  if (needed > available) {
    const storedTypes = [...new Set(header.tensors.map((tensor) => tensor.type))].filter(
      (type) => type !== GgmlType.F32,
    );
    const stored = storedTypes.length
      ? ` The ${((await stat(modelPath)).size / GIB).toFixed(1)} GiB file stores ${storedTypes.map(ggmlTypeName).join(', ')} weights; training holds them as F32 (${((parameters * 4) / GIB).toFixed(1)} GiB).`
      : '';
    throw new TrainingError(
      `${modelPath}: ${(parameters / 1e6).toFixed(0)} M parameters need at least ${(needed / GIB).toFixed(1)} GiB to train ` +
        `${lora ? 'a LoRA adapter' : 'in full'}, more than the ${(available / GIB).toFixed(1)} GiB the embedded trainer can use ` +
        `(a 4 GiB wasm heap, or 80% of this machine's memory).${stored} ${lora ? '' : 'Train a LoRA adapter (--lora), or '}use a GPU engine for models this size (\`transformers\` or \`llamafactory\`, with the student as a Hugging Face model).`,
    );
  }
}
