/**
 * Hugging Face tensor names of the Llama-family checkpoints (LlamaForCausalLM, Qwen2ForCausalLM,
 * Qwen3ForCausalLM) and their GGUF names, as gguf-py's tensor map names them.
 */
const BLOCK_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['input_layernorm.weight', 'attn_norm.weight'],
  ['self_attn.q_proj.weight', 'attn_q.weight'],
  ['self_attn.k_proj.weight', 'attn_k.weight'],
  ['self_attn.v_proj.weight', 'attn_v.weight'],
  ['self_attn.q_proj.bias', 'attn_q.bias'],
  ['self_attn.k_proj.bias', 'attn_k.bias'],
  ['self_attn.v_proj.bias', 'attn_v.bias'],
  ['self_attn.q_norm.weight', 'attn_q_norm.weight'],
  ['self_attn.k_norm.weight', 'attn_k_norm.weight'],
  ['self_attn.o_proj.weight', 'attn_output.weight'],
  ['post_attention_layernorm.weight', 'ffn_norm.weight'],
  ['mlp.gate_proj.weight', 'ffn_gate.weight'],
  ['mlp.up_proj.weight', 'ffn_up.weight'],
  ['mlp.down_proj.weight', 'ffn_down.weight'],
];

const GLOBAL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['model.embed_tokens.weight', 'token_embd.weight'],
  ['model.norm.weight', 'output_norm.weight'],
  ['lm_head.weight', 'output.weight'],
];

const hfBlock = /^model\.layers\.(\d+)\.(.+)$/;
const ggufBlock = /^blk\.(\d+)\.(.+)$/;

/** The GGUF name of a Hugging Face tensor, or undefined for a name the converter does not know. */
export function ggufTensorName(hfName: string): string | undefined {
  const global = GLOBAL_NAMES.find(([hf]) => hf === hfName);
  if (global) return global[1];
  const match = hfBlock.exec(hfName);
  const suffix = match && BLOCK_NAMES.find(([hf]) => hf === match[2]);
  return suffix ? `blk.${match[1]}.${suffix[1]}` : undefined;
}

/** The Hugging Face name of a GGUF tensor, or undefined for a name with no HF counterpart. */
export function hfTensorName(ggufName: string): string | undefined {
  const global = GLOBAL_NAMES.find(([, gguf]) => gguf === ggufName);
  if (global) return global[0];
  const match = ggufBlock.exec(ggufName);
  const suffix = match && BLOCK_NAMES.find(([, gguf]) => gguf === match[2]);
  return suffix ? `model.layers.${match[1]}.${suffix[0]}` : undefined;
}

/** True for the tensors whose rows llama.cpp's converter reorders for the `llama` architecture. */
export const isRotaryProjection = (ggufName: string): 'q' | 'k' | undefined =>
  /\.attn_q\.(weight|bias)$/.test(ggufName)
    ? 'q'
    : /\.attn_k\.(weight|bias)$/.test(ggufName)
      ? 'k'
      : undefined;

/**
 * Reorder the rows of a query or key projection between Hugging Face's rotary layout (each head's
 * first half of dimensions rotates with its second half) and llama.cpp's `llama` layout (adjacent
 * pairs rotate), as LlamaModel.permute in convert_hf_to_gguf.py does: within each of `heads` heads,
 * HF row s·(d/2)+j becomes GGUF row 2j+s. `inverse` undoes it. Rows move whole, so it is exact for
 * any element type.
 */
export function permuteRotaryRows(
  bytes: Uint8Array,
  heads: number,
  rowBytes: number,
  inverse = false,
): Uint8Array {
  const rows = bytes.length / rowBytes;
  const headRows = rows / heads;
  const half = headRows / 2;
  const out = new Uint8Array(bytes.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      for (let s = 0; s < 2; s++) {
        const hfRow = h * headRows + s * half + j;
        const ggufRow = h * headRows + 2 * j + s;
        const [from, to] = inverse ? [ggufRow, hfRow] : [hfRow, ggufRow];
        out.set(bytes.subarray(from * rowBytes, (from + 1) * rowBytes), to * rowBytes);
      }
    }
  }
  return out;
}
