import type { LlamaContextSequence, Token } from 'node-llama-cpp';

/** log(sum(exp(x))) over a logits map, stable against large values. */
function logSumExp(logits: Map<Token, number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits.values()) if (value > max) max = value;
  let sum = 0;
  for (const value of logits.values()) sum += Math.exp(value - max);
  return max + Math.log(sum);
}

/**
 * Sum of log-probabilities of `continuation` after `prompt`, from llama.cpp's raw logits (one
 * forward pass over prompt + continuation, logits kept only where a continuation token is predicted).
 */
export async function continuationLogprob(
  sequence: LlamaContextSequence,
  prompt: Token[],
  continuation: Token[],
): Promise<number> {
  if (continuation.length === 0) return 0;
  const input = [...prompt, ...continuation];
  const firstPredictor = prompt.length - 1;
  const results = await sequence.controlledEvaluate(
    input.map((token, index) =>
      index >= firstPredictor && index < input.length - 1
        ? [token, { generateNext: { logits: true } }]
        : token,
    ),
  );
  let total = 0;
  for (let i = 0; i < continuation.length; i++) {
    const logits = results[firstPredictor + i]?.next.logits;
    const target = continuation[i]!;
    if (!logits) throw new Error(`llama.cpp returned no logits at position ${firstPredictor + i}`);
    total += (logits.get(target) ?? Number.NEGATIVE_INFINITY) - logSumExp(logits);
  }
  return total;
}

/** Next-token log-probabilities over the whole vocabulary after each position of `tokens` (for parity checks). */
export async function nextTokenLogprobs(
  sequence: LlamaContextSequence,
  tokens: Token[],
): Promise<Float64Array[]> {
  const results = await sequence.controlledEvaluate(
    tokens.map((token) => [token, { generateNext: { logits: true } }]),
  );
  return results.map((result) => {
    const logits = result?.next.logits;
    if (!logits) throw new Error('llama.cpp returned no logits');
    const normaliser = logSumExp(logits);
    const out = new Float64Array(logits.size);
    for (const [token, value] of logits) out[token] = value - normaliser;
    return out;
  });
}
