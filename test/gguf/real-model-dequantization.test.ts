/**
 * A real pretrained quantized model (SmolLM2-135M-Instruct, Q4_1 with a Q8_0 embedding and F32
 * norms): every tensor, read through the trainer's reader, is bitwise what ggml's own to_float
 * gives for the same bytes.
 */
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tensorByteSize } from '../../src/gguf/gguf-types.js';
import { elementCount, readGgufHeader, readGgufTensors } from '../../src/gguf/read-gguf.js';
import { ggmlReference } from '../support/ggml-reference.js';
import { publishedModelForTests } from '../support/published-model.js';

const path = await publishedModelForTests('smollm2-135m-instruct');

describe.skipIf(path === undefined)('dequantizing SmolLM2-135M-Instruct (Q4_1)', () => {
  it('gives ggml to_float results bit for bit on all 272 tensors (134.5 M values)', async () => {
    const header = await readGgufHeader(path!);
    const handle = await open(path!, 'r');
    const checked = new Map<string, number>();
    try {
      for (const tensor of header.tensors) {
        const ours = (await readGgufTensors(path!, header, new Set([tensor.name]))).get(tensor.name)!;
        const bytes = Buffer.alloc(tensorByteSize(tensor)!);
        await handle.read(bytes, 0, bytes.length, header.dataOffset + Number(tensor.offset));
        const theirs = ggmlReference().toFloat(tensor.type, bytes, elementCount(tensor.shape));
        expect(Buffer.from(ours.buffer).equals(Buffer.from(theirs.buffer)), tensor.name).toBe(true);
        checked.set(String(tensor.type), (checked.get(String(tensor.type)) ?? 0) + 1);
      }
    } finally {
      await handle.close();
    }
    // F32 = 0, Q4_1 = 3, Q8_0 = 8.
    expect(Object.fromEntries(checked)).toEqual({ '0': 61, '3': 210, '8': 1 });
  });
});
