import { spawn } from 'node:child_process';
import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ConfigError, InputError, MedistillError } from '../../errors.js';
import { GgmlType, type GgufTensorInfo, ggmlTypeName } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { temporaryPathFor } from '../../util/atomic-write.js';
import { prebuiltLibraryPath } from './prebuilt-libraries.js';

/**
 * What a model file can be quantized to. Plain names (`q4_k`) make every weight matrix that type
 * (llama.cpp's `--pure`); `_s` / `_m` are llama.cpp's own mixes, which keep some tensors (output,
 * attention V, some FFN down) in a larger type.
 */
export const QUANTIZE_TYPES = {
  f16: { ftype: 1, tensorType: GgmlType.F16, pure: true },
  q8_0: { ftype: 7, tensorType: GgmlType.Q8_0, pure: true },
  q4_0: { ftype: 2, tensorType: GgmlType.Q4_0, pure: true },
  q4_1: { ftype: 3, tensorType: GgmlType.Q4_1, pure: true },
  q5_0: { ftype: 8, tensorType: GgmlType.Q5_0, pure: true },
  q5_1: { ftype: 9, tensorType: GgmlType.Q5_1, pure: true },
  q4_k: { ftype: 14, tensorType: GgmlType.Q4_K, pure: true },
  q5_k: { ftype: 16, tensorType: GgmlType.Q5_K, pure: true },
  q6_k: { ftype: 18, tensorType: GgmlType.Q6_K, pure: true },
  q4_k_s: { ftype: 14, tensorType: GgmlType.Q4_K, pure: false },
  q4_k_m: { ftype: 15, tensorType: GgmlType.Q4_K, pure: false },
  q5_k_s: { ftype: 16, tensorType: GgmlType.Q5_K, pure: false },
  q5_k_m: { ftype: 17, tensorType: GgmlType.Q5_K, pure: false },
} as const satisfies Record<string, { ftype: number; tensorType: GgmlType; pure: boolean }>;

export type QuantizeType = keyof typeof QUANTIZE_TYPES;

export function isQuantizeType(value: string): value is QuantizeType {
  return Object.hasOwn(QUANTIZE_TYPES, value);
}

export interface QuantizeModelOptions {
  /** Threads llama.cpp quantizes with (default: llama.cpp's choice, one per core). */
  threads?: number;
  /** Quantize tensors that are already quantized (loses more precision; off by default, as in llama.cpp). */
  allowRequantize?: boolean;
  signal?: AbortSignal;
}

export interface QuantizedTensor {
  name: string;
  shape: number[];
  type: string;
}

export interface QuantizeModelResult {
  output: string;
  type: QuantizeType;
  /** The ggml type weight matrices were asked to become (the mix's base type for `_s` / `_m`). */
  tensorType: string;
  /** How many tensors of each ggml type the output holds. */
  typeCounts: Record<string, number>;
  /**
   * Weight matrices stored in another type than `tensorType`. For plain types these are llama.cpp's
   * fallbacks for shapes that do not fit (a k-quant needs rows that are a multiple of 256: Q4_K
   * falls back to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0; rows that are not a multiple of 32 become F16).
   * For the `_s` / `_m` mixes they also include the tensors the mix deliberately keeps larger.
   * Norms and other 1-D tensors stay F32 by design and are not listed.
   */
  fallbacks: QuantizedTensor[];
  inputBytes: number;
  outputBytes: number;
  /** llama.cpp's log of the run (it is captured, never printed). */
  log: string;
}

/**
 * The child process that calls libllama. A separate process keeps llama.cpp's log lines out of the
 * caller's stderr without taking over the log callback node-llama-cpp installs, and an abort inside
 * llama.cpp cannot take the caller down. The struct mirrors `llama_model_quantize_params` in the
 * bundled include/llama.h (libllama 0.5.0, 64 bytes on 64-bit platforms).
 */
const CHILD_SCRIPT = `
const [koffiPath, libraryPath, input, output, settings] = JSON.parse(process.argv[1]);
const koffi = require(koffiPath);
const library = koffi.load(libraryPath);
const Params = koffi.struct('llama_model_quantize_params', {
  nthread: 'int32_t', ftype: 'int32_t', output_tensor_type: 'int32_t', token_embedding_type: 'int32_t',
  allow_requantize: 'bool', quantize_output_tensor: 'bool', only_copy: 'bool', pure: 'bool',
  keep_split: 'bool', dry_run: 'bool', imatrix: 'void *', kv_overrides: 'void *',
  tt_overrides: 'void *', prune_layers: 'void *', max_buf_size: 'size_t',
});
if (koffi.sizeof(Params) !== 64) throw new Error('unexpected llama_model_quantize_params size ' + koffi.sizeof(Params));
const defaults = library.func('llama_model_quantize_params llama_model_quantize_default_params(void)');
const quantize = library.func('uint32_t llama_model_quantize(const char *input, const char *output, const llama_model_quantize_params *params)');
library.func('void llama_backend_init(void)')();
const params = { ...defaults(), ...settings };
process.exitCode = quantize(input, output, params) === 0 ? 0 : 3;
`;

/** The tensors llama.cpp quantizes: weight matrices other than norms and MoE gates. */
function isQuantizable(tensor: GgufTensorInfo): boolean {
  return (
    tensor.shape.length >= 2 &&
    tensor.name.endsWith('weight') &&
    !tensor.name.includes('_norm.weight') &&
    !tensor.name.includes('ffn_gate_inp.weight')
  );
}

function runChild(
  args: unknown[],
  signal: AbortSignal | undefined,
): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, log: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * Quantize a GGUF model file with llama.cpp's own quantizer (`llama_model_quantize` in the prebuilt
 * libllama node-llama-cpp ships; no build needed), writing `output` atomically. Returns the tensor
 * types of the result and every weight matrix that did not get the requested type.
 */
export async function quantizeModelFile(
  input: string,
  output: string,
  type: QuantizeType,
  options: QuantizeModelOptions = {},
): Promise<QuantizeModelResult> {
  if (!isQuantizeType(type)) {
    throw new ConfigError(
      `unknown quantization type "${type}" (one of ${Object.keys(QUANTIZE_TYPES).join(', ')})`,
    );
  }
  try {
    await access(input);
  } catch (error) {
    throw new InputError('cannot read model file (does it exist?)', { file: input }, { cause: error });
  }
  await readGgufHeader(input);
  const spec = QUANTIZE_TYPES[type];
  const koffiPath = createRequire(import.meta.url).resolve('koffi');
  const libraryPath = prebuiltLibraryPath('llama');
  const settings = {
    ftype: spec.ftype,
    pure: spec.pure,
    nthread: options.threads ?? 0,
    allow_requantize: options.allowRequantize ?? false,
  };
  // llama.cpp cannot make folders: without this an unmade one fails as "basic_ios::clear: iostream error".
  await mkdir(dirname(output), { recursive: true });
  const temporary = temporaryPathFor(output);
  try {
    const { code, log } = await runChild(
      [koffiPath, libraryPath, input, temporary, settings],
      options.signal,
    );
    if (code !== 0) {
      const tail = log.trim().split('\n').slice(-6).join('\n');
      throw new MedistillError(`llama.cpp could not quantize ${input} to ${type} (exit ${code}):\n${tail}`);
    }
    await rename(temporary, output);
    const header = await readGgufHeader(output);
    const typeCounts: Record<string, number> = {};
    const fallbacks: QuantizedTensor[] = [];
    for (const tensor of header.tensors) {
      const name = ggmlTypeName(tensor.type);
      typeCounts[name] = (typeCounts[name] ?? 0) + 1;
      if (isQuantizable(tensor) && tensor.type !== spec.tensorType) {
        fallbacks.push({ name: tensor.name, shape: tensor.shape, type: name });
      }
    }
    return {
      output,
      type,
      tensorType: ggmlTypeName(spec.tensorType),
      typeCounts,
      fallbacks,
      inputBytes: (await stat(input)).size,
      outputBytes: (await stat(output)).size,
      log,
    };
  } finally {
    await rm(temporary, { force: true });
  }
}
