import { ModelFormatError } from '../../errors.js';
import { type GgufHeader, metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';

/**
 * Refuse a LoRA adapter trained for another base before llama.cpp sees it (its own message is
 * only "Failed to initialize LoRA adapter"): the architectures must agree, and every
 * `<tensor>.lora_a` [in, r] / `.lora_b` [r, out] pair must sit on a base tensor of shape [in, out].
 * The error names the adapter file and the key or tensor that does not match.
 */
export async function assertAdapterMatchesBase(
  base: GgufHeader,
  basePath: string,
  adapterPath: string,
): Promise<void> {
  const adapter = await readGgufHeader(adapterPath);
  if (metadataValue(adapter.metadata, 'general.type') !== 'adapter') {
    throw new ModelFormatError('not a LoRA adapter (general.type is not "adapter")', {
      file: adapterPath,
      field: 'general.type',
    });
  }
  const baseArchitecture = metadataValue(base.metadata, 'general.architecture');
  const architecture = metadataValue(adapter.metadata, 'general.architecture');
  if (architecture !== baseArchitecture) {
    throw new ModelFormatError(
      `the adapter was trained for a "${String(architecture)}" model, but ${basePath} is "${String(baseArchitecture)}"`,
      { file: adapterPath, field: 'general.architecture' },
    );
  }
  const baseShapes = new Map(base.tensors.map((tensor) => [tensor.name, tensor.shape]));
  const shapes = new Map(adapter.tensors.map((tensor) => [tensor.name, tensor.shape]));
  for (const [name, shapeA] of shapes) {
    if (!name.endsWith('.lora_a')) continue;
    const target = name.slice(0, -'.lora_a'.length);
    const baseShape = baseShapes.get(target);
    const shapeB = shapes.get(`${target}.lora_b`);
    if (!baseShape) {
      throw new ModelFormatError(`tensor ${name} adapts ${target}, which ${basePath} does not have`, {
        file: adapterPath,
      });
    }
    if (!shapeB || shapeA[0] !== baseShape[0] || shapeB[1] !== baseShape[1]) {
      throw new ModelFormatError(
        `tensor ${name} [${shapeA}] / .lora_b [${shapeB ?? 'missing'}] does not fit ${target} [${baseShape}] of ${basePath}`,
        { file: adapterPath },
      );
    }
  }
}
