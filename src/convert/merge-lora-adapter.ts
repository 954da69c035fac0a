import { ModelFormatError } from '../errors.js';
import { GgmlType, type GgufTensorToWrite, ggmlTypeName, gguf, metadataValue } from '../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../gguf/read-gguf.js';
import { writeGguf } from '../gguf/write-gguf.js';

export interface MergeLoraOptions {
  /** llama.cpp's user scale (`--lora-scaled`); the product is scaled by scale * alpha / rank (default 1). */
  scale?: number;
  /** How merged weight matrices are stored: F32 (default; the input to quantization), F16 or BF16. */
  storage?: 'f32' | 'f16' | 'bf16';
}

export interface MergeLoraResult {
  output: string;
  /** Base tensors the adapter changed. */
  mergedTensors: string[];
  rank: number;
  /** The factor B·A was multiplied by. */
  scale: number;
  /** The base's quantized tensor types, when it had any: they were dequantized before merging. */
  dequantizedFrom?: string[];
}

/**
 * Merge a GGUF LoRA adapter into its base: W' = W + scale · (B · A), with llama.cpp's scale
 * (user scale × alpha / rank, or the user scale alone when alpha is 0), so the merged file gives the
 * logits llama.cpp gives for the base with the adapter applied. Every other tensor and every
 * metadata key of the base is kept, so any architecture llama.cpp applies adapters to can be merged.
 * A quantized base is dequantized first (exactly as ggml reads it); the merged file is then F32,
 * F16 or BF16, and exporting it quantizes once more, which a LoRA trained on a quantized base needs.
 */
export async function mergeLoraAdapter(
  basePath: string,
  adapterPath: string,
  output: string,
  options: MergeLoraOptions = {},
): Promise<MergeLoraResult> {
  const [base, adapter] = await Promise.all([readGgufHeader(basePath), readGgufHeader(adapterPath)]);
  if (metadataValue(base.metadata, 'general.type') === 'adapter') {
    throw new ModelFormatError('this is a LoRA adapter, not a base model', { file: basePath });
  }
  if (
    metadataValue(adapter.metadata, 'general.type') !== 'adapter' ||
    metadataValue(adapter.metadata, 'adapter.type') !== 'lora'
  ) {
    throw new ModelFormatError('not a LoRA adapter (general.type must be "adapter", adapter.type "lora")', {
      file: adapterPath,
    });
  }
  const baseArchitecture = metadataValue(base.metadata, 'general.architecture');
  const adapterArchitecture = metadataValue(adapter.metadata, 'general.architecture');
  if (adapterArchitecture !== baseArchitecture) {
    throw adapterMismatch(
      adapterPath,
      basePath,
      `it is for architecture "${String(adapterArchitecture)}", the base is "${String(baseArchitecture)}"`,
    );
  }
  // A quantized base (a LoRA trained on a Q4_1 model as it is) is dequantized bit-exactly as ggml
  // does and merged in F32; quantizing the result again is the export's next step.
  const dequantizedFrom = [
    ...new Set(
      base.tensors
        .filter(
          (tensor) =>
            tensor.type !== GgmlType.F32 && tensor.type !== GgmlType.F16 && tensor.type !== GgmlType.BF16,
        )
        .map((tensor) => ggmlTypeName(tensor.type)),
    ),
  ];

  const baseShapes = new Map(base.tensors.map((tensor) => [tensor.name, tensor.shape]));
  const adapterShapes = new Map(adapter.tensors.map((tensor) => [tensor.name, tensor.shape]));
  const targets: { name: string; rank: number }[] = [];
  for (const [name, shapeA] of adapterShapes) {
    if (!name.endsWith('.lora_a')) continue;
    const target = name.slice(0, -'.lora_a'.length);
    const shapeB = adapterShapes.get(`${target}.lora_b`);
    const shapeW = baseShapes.get(target);
    if (!shapeB)
      throw new ModelFormatError(`${name} has no matching ${target}.lora_b`, { file: adapterPath });
    if (!shapeW) throw adapterMismatch(adapterPath, basePath, `the base has no tensor ${target}`);
    // ggml order: W [in, out], A [in, r], B [r, out] (llama_adapter_lora_init checks the same).
    const [inputs, outputs] = shapeW;
    if (shapeW.length !== 2 || shapeA[0] !== inputs || shapeB[1] !== outputs || shapeA[1] !== shapeB[0]) {
      throw adapterMismatch(
        adapterPath,
        basePath,
        `${target} is [${shapeW}] in the base, but the adapter's A is [${shapeA}] and B is [${shapeB}]`,
      );
    }
    targets.push({ name: target, rank: shapeA[1]! });
  }
  if (targets.length === 0)
    throw new ModelFormatError('the adapter holds no lora_a/lora_b pairs', { file: adapterPath });

  const rank = targets[0]!.rank;
  const alpha = Number(metadataValue(adapter.metadata, 'adapter.lora.alpha') ?? 0);
  const userScale = options.scale ?? 1;
  const scale = alpha ? (userScale * alpha) / rank : userScale;

  const [baseData, adapterData] = await Promise.all([
    readGgufTensors(basePath, base),
    readGgufTensors(adapterPath, adapter),
  ]);
  for (const { name, rank: r } of targets) {
    const [inputs, outputs] = baseShapes.get(name) as [number, number];
    const weight = baseData.get(name)!;
    const a = adapterData.get(`${name}.lora_a`)!;
    const b = adapterData.get(`${name}.lora_b`)!;
    const tensorScale = alpha ? (userScale * alpha) / r : userScale;
    addLowRankProduct(weight, a, b, inputs, outputs, r, tensorScale);
  }

  const metadata = new Map(base.metadata);
  const storage = options.storage ?? 'f32';
  // general.file_type: 0 = all F32, 1 = mostly F16, 32 = mostly BF16 (llama_ftype).
  metadata.set('general.file_type', gguf.uint32({ f32: 0, f16: 1, bf16: 32 }[storage]));
  const matrixType = { f32: GgmlType.F32, f16: GgmlType.F16, bf16: GgmlType.BF16 } as const;
  const tensors: GgufTensorToWrite[] = base.tensors.map((tensor) => ({
    name: tensor.name,
    shape: tensor.shape,
    data: baseData.get(tensor.name)!,
    // Norms and other 1-D tensors stay F32, as llama.cpp's converters keep them.
    type:
      tensor.shape.length > 1 && !tensor.name.endsWith('_norm.weight') ? matrixType[storage] : GgmlType.F32,
  }));
  await writeGguf(output, metadata, tensors);
  return {
    output,
    mergedTensors: targets.map((target) => target.name),
    rank,
    scale,
    ...(dequantizedFrom.length > 0 ? { dequantizedFrom } : {}),
  };
}

/**
 * weight[o, i] += scale · Σ_k b[o, k] · a[k, i], all row-major in ggml order (W row o holds `inputs`
 * values; A row k holds `inputs`; B row o holds `rank`). Accumulated in float64 per row.
 */
function addLowRankProduct(
  weight: Float32Array,
  a: Float32Array,
  b: Float32Array,
  inputs: number,
  outputs: number,
  rank: number,
  scale: number,
): void {
  const row = new Float64Array(inputs);
  for (let o = 0; o < outputs; o++) {
    row.fill(0);
    for (let k = 0; k < rank; k++) {
      const factor = b[o * rank + k]!;
      if (factor === 0) continue;
      const offset = k * inputs;
      for (let i = 0; i < inputs; i++) row[i]! += factor * a[offset + i]!;
    }
    const offset = o * inputs;
    for (let i = 0; i < inputs; i++) weight[offset + i]! += scale * row[i]!;
  }
}

function adapterMismatch(adapterPath: string, basePath: string, detail: string): ModelFormatError {
  return new ModelFormatError(`this LoRA adapter is for another base model than ${basePath}: ${detail}`, {
    file: adapterPath,
  });
}
