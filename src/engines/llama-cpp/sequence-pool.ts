import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';

/**
 * Hands out a context's sequences to concurrent callers. node-llama-cpp batches the tokens of
 * all busy sequences into one decode, so many prompts in flight run as parallel sequences.
 */
export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: ((sequence: LlamaContextSequence) => void)[] = [];

  constructor(context: LlamaContext) {
    for (let i = 0; i < context.totalSequences; i++) this.free.push(context.getSequence());
  }

  async use<T>(work: (sequence: LlamaContextSequence) => Promise<T>): Promise<T> {
    const sequence =
      this.free.pop() ?? (await new Promise<LlamaContextSequence>((resolve) => this.waiting.push(resolve)));
    try {
      return await work(sequence);
    } finally {
      await sequence.clearHistory();
      const next = this.waiting.shift();
      if (next) next(sequence);
      else this.free.push(sequence);
    }
  }
}
