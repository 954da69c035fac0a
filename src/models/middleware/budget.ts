import { BudgetExceededError, ConfigError } from '../../errors.js';

export interface BudgetLimits {
  /** Most the run may cost, in the price table's currency. */
  maxCost?: number;
  /** Most prompt + completion tokens the run may use. */
  maxTokens?: number;
}

export interface BudgetSpent {
  cost: number;
  tokens: number;
}

/**
 * A run's spending limit, shared by every call of the run. It starts from what earlier sessions
 * of the same run already spent (read from the run store), so a resumed run keeps to the same
 * total. Calls in flight when the limit is reached still land, so a run can overshoot by at most
 * the calls it had in flight.
 */
export class Budget {
  readonly limits: BudgetLimits;
  #cost: number;
  #tokens: number;

  constructor(limits: BudgetLimits, alreadySpent: BudgetSpent = { cost: 0, tokens: 0 }) {
    for (const [name, value] of Object.entries(limits)) {
      if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
        throw new ConfigError(`budget ${name} must be a non-negative number, got ${String(value)}`);
      }
    }
    this.limits = limits;
    this.#cost = alreadySpent.cost;
    this.#tokens = alreadySpent.tokens;
  }

  get spent(): BudgetSpent {
    return { cost: this.#cost, tokens: this.#tokens };
  }

  /** Throws BudgetExceededError when either limit is already reached. */
  assertAvailable(): void {
    const { maxCost, maxTokens } = this.limits;
    if (maxCost !== undefined && this.#cost >= maxCost) {
      throw new BudgetExceededError(
        `budget reached: spent ${this.#cost.toFixed(4)} of max cost ${maxCost}; raise the limit and rerun to resume`,
      );
    }
    if (maxTokens !== undefined && this.#tokens >= maxTokens) {
      throw new BudgetExceededError(
        `budget reached: used ${this.#tokens} of max ${maxTokens} tokens; raise the limit and rerun to resume`,
      );
    }
  }

  add(tokens: number, cost: number | undefined): void {
    this.#tokens += tokens;
    if (cost !== undefined) this.#cost += cost;
  }
}
