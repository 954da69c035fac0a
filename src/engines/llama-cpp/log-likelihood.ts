import type { LlamaContextSequence, Token } from 'node-llama-cpp';

/** log(sum(exp(x))) over a logits map, stable against large values. */
function logSumExp(logits: Map<Token, number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits.values()) if (value > max) max = value;
  let sum = 0;
  for (const value of logits.values()) sum += Math.exp(value - max);
  return max + Math.log(sum);
}

function logprobOf(logits: Map<Token, number> | undefined, target: Token, position: number): number {
  if (!logits) throw new Error(`llama.cpp returned no logits at position ${position}`);
  return (logits.get(target) ?? Number.NEGATIVE_INFINITY) - logSumExp(logits);
}

/**
 * Sum of log-probabilities of each continuation after `prompt`, from llama.cpp's raw logits. The
 * prompt is evaluated once; each continuation is evaluated on top of it and then erased from the
 * sequence, so scoring four options costs one prompt plus four short continuations.
 */
export async function continuationLogprobs(
  sequence: LlamaContextSequence,
  prompt: Token[],
  continuations: Token[][],
): Promise<number[]> {
  const last = prompt.length - 1;
  const promptResults = await sequence.controlledEvaluate(
    prompt.map((token, index) => (index === last ? [token, { generateNext: { logits: true } }] : token)),
  );
  const afterPrompt = promptResults[last]?.next.logits;
  const scores: number[] = [];
  for (const continuation of continuations) {
    if (continuation.length === 0) {
      scores.push(0);
      continue;
    }
    let total = logprobOf(afterPrompt, continuation[0]!, last);
    if (continuation.length > 1) {
      const results = await sequence.controlledEvaluate(
        continuation.slice(0, -1).map((token) => [token, { generateNext: { logits: true } }]),
      );
      for (let i = 1; i < continuation.length; i++)
        total += logprobOf(results[i - 1]?.next.logits, continuation[i]!, last + i);
      await sequence.eraseContextTokenRanges([{ start: prompt.length, end: sequence.nextTokenIndex }]);
    }
    scores.push(total);
  }
  return scores;
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
