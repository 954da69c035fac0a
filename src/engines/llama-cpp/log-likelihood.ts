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
 * What llama.cpp is asked for after a position: only the logits of `targets` and of the selected
 * token, and the total weight sum(exp(logit - max)) over the vocabulary. The log-softmax is then
 * done natively; the full vocabulary never crosses into JavaScript (a Map per position did, and
 * made scoring slower than generating). Sampling is greedy (node-llama-cpp's default temperature
 * 0), so the selected token is the argmax and its logit is the max the weight is relative to.
 * (`includeMax` cannot stand in for it: in node-llama-cpp 3.22.1 it adds the max only when the
 * max is already among the targets.)
 */
function gather(targets: readonly Token[]) {
  return {
    generateNext: { logits: { filter: { tokens: targets, includeSelected: true } }, totalLogitWeight: true },
  } as const;
}

interface Gathered {
  logits?: Map<Token, number>;
  totalLogitWeight?: number;
}

function logprobOf(next: Gathered | undefined, target: Token, position: number): number {
  const logits = next?.logits;
  const weight = next?.totalLogitWeight;
  if (!logits || weight === undefined)
    throw new Error(`llama.cpp returned no logits at position ${position}`);
  let max = Number.NEGATIVE_INFINITY;
  for (const value of logits.values()) if (value > max) max = value;
  return (logits.get(target) ?? Number.NEGATIVE_INFINITY) - max - Math.log(weight);
}

/** The input that scores `continuation` after its first token: each token asks for the next one. */
function continuationInput(continuation: Token[]) {
  return continuation
    .slice(0, -1)
    .map((token, index) => [token, gather([continuation[index + 1]!])] as [Token, ReturnType<typeof gather>]);
}

/**
 * Sum of log-probabilities of each continuation after `prompt`, from llama.cpp's raw logits. The
 * prompt is evaluated once, together with the first continuation in the same batch; each further
 * continuation is evaluated on top of the prompt and erased again, so scoring four options costs
 * one prompt plus four short continuations in four decodes, and no continuation sees another.
 */
export async function continuationLogprobs(
  sequence: LlamaContextSequence,
  prompt: Token[],
  continuations: Token[][],
): Promise<number[]> {
  const last = prompt.length - 1;
  const firstTokens = [...new Set(continuations.flatMap((continuation) => continuation.slice(0, 1)))];
  const head = continuations[0] ?? [];
  const results = await sequence.controlledEvaluate([
    ...prompt.map((token, index) => (index === last ? [token, gather(firstTokens)] : token)),
    ...continuationInput(head),
  ] as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
  const afterPrompt = results[last]?.next;
  const scores: number[] = [];
  for (const [index, continuation] of continuations.entries()) {
    if (continuation.length === 0) {
      scores.push(0);
      continue;
    }
    let total = logprobOf(afterPrompt, continuation[0]!, last);
    if (continuation.length > 1) {
      const own =
        index === 0
          ? results.slice(last + 1)
          : await sequence.controlledEvaluate(continuationInput(continuation));
      for (let i = 1; i < continuation.length; i++)
        total += logprobOf(own[i - 1]?.next, continuation[i]!, last + i);
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
