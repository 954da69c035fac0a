import type { Database, Statement } from 'better-sqlite3';
import type { CallRecord } from '../models/call-record.js';
import type { GroupCommit } from './group-commit.js';

/** Sums over recorded calls; `cost` adds only the calls that had a price. */
export interface CallTotals {
  calls: number;
  successfulCalls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** A logged attempt as read back. */
export interface LoggedCall {
  id: number;
  requestHash: string;
  modelId: string;
  stage: string | undefined;
  itemId: string | undefined;
  attempt: number;
  succeeded: boolean;
  promptTokens: number;
  completionTokens: number;
  cost: number | undefined;
  latencyMs: number;
  httpStatus: number | undefined;
  errorName: string | undefined;
  errorMessage: string | undefined;
}

interface CallRow {
  id: number;
  request_hash: string;
  model_id: string;
  stage: string | null;
  item_id: string | null;
  attempt: number;
  succeeded: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number | null;
  latency_ms: number;
  http_status: number | null;
  error_name: string | null;
  error_message: string | null;
}

interface TotalsRow {
  calls: number;
  successful: number | null;
  prompt: number | null;
  completion: number | null;
  cost: number | null;
}

/**
 * The `calls` table: an append-only log of every attempt, and the content-addressed response
 * cache (a successful row is found by its request hash). A call is durable once the promise from
 * `record` resolves, so a kill -9 loses at most calls still in flight.
 */
export class CallLog {
  readonly #commits: GroupCommit;
  readonly #insert: Statement<Record<string, string | number | null>>;
  readonly #findResponse: Statement<[string], { response_json: string }>;
  readonly #attempts: Statement<[string], CallRow>;
  readonly #totals: Statement<[], TotalsRow>;
  readonly #totalsForStage: Statement<[string], TotalsRow>;

  constructor(database: Database, commits: GroupCommit) {
    this.#commits = commits;
    this.#insert = database.prepare<
      Record<string, string | number | null>
    >(`INSERT INTO calls (request_hash, model_id, stage, item_id, attempt,
      request_json, response_json, prompt_tokens, completion_tokens, cost, latency_ms, http_status,
      error_name, error_message, started_at, finished_at)
      VALUES (@requestHash, @modelId, @stage, @itemId, @attempt, @requestJson, @responseJson,
      @promptTokens, @completionTokens, @cost, @latencyMs, @httpStatus, @errorName, @errorMessage,
      @startedAt, @finishedAt)`);
    this.#findResponse = database.prepare<[string], { response_json: string }>(
      'SELECT response_json FROM calls WHERE request_hash = ? AND response_json IS NOT NULL ORDER BY id DESC LIMIT 1',
    );
    this.#attempts = database.prepare<[string], CallRow>(`SELECT id, request_hash, model_id, stage, item_id,
      attempt, response_json IS NOT NULL AS succeeded, prompt_tokens, completion_tokens, cost, latency_ms,
      http_status, error_name, error_message FROM calls WHERE request_hash = ? ORDER BY id`);
    const totalsSql = `SELECT COUNT(*) AS calls, SUM(response_json IS NOT NULL) AS successful,
      SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion, SUM(cost) AS cost FROM calls`;
    this.#totals = database.prepare<[], TotalsRow>(totalsSql);
    this.#totalsForStage = database.prepare<[string], TotalsRow>(`${totalsSql} WHERE stage = ?`);
  }

  /** Appends one attempt; resolves once it is committed. */
  record(call: CallRecord): Promise<void> {
    const row = {
      requestHash: call.requestHash,
      modelId: call.modelId,
      stage: call.stage ?? null,
      itemId: call.itemId ?? null,
      attempt: call.attempt,
      requestJson: call.requestJson,
      responseJson: call.responseJson ?? null,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      cost: call.cost ?? null,
      latencyMs: call.latencyMs,
      httpStatus: call.httpStatus ?? null,
      errorName: call.errorName ?? null,
      errorMessage: call.errorMessage ?? null,
      startedAt: call.startedAt.toISOString(),
      finishedAt: call.finishedAt.toISOString(),
    };
    return this.#commits.commit(() => this.#insert.run(row));
  }

  /** The newest successful response recorded for this request hash, as stored JSON text. */
  findResponse(requestHash: string): string | undefined {
    return this.#findResponse.get(requestHash)?.response_json;
  }

  /** Every attempt logged for one request, oldest first. */
  attempts(requestHash: string): LoggedCall[] {
    return this.#attempts.all(requestHash).map((row) => ({
      id: row.id,
      requestHash: row.request_hash,
      modelId: row.model_id,
      stage: row.stage ?? undefined,
      itemId: row.item_id ?? undefined,
      attempt: row.attempt,
      succeeded: row.succeeded === 1,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      cost: row.cost ?? undefined,
      latencyMs: row.latency_ms,
      httpStatus: row.http_status ?? undefined,
      errorName: row.error_name ?? undefined,
      errorMessage: row.error_message ?? undefined,
    }));
  }

  /** Totals over the whole run, or over one stage. */
  totals(stage?: string): CallTotals {
    const row = stage === undefined ? this.#totals.get() : this.#totalsForStage.get(stage);
    const calls = row?.calls ?? 0;
    const successfulCalls = row?.successful ?? 0;
    return {
      calls,
      successfulCalls,
      failedCalls: calls - successfulCalls,
      promptTokens: row?.prompt ?? 0,
      completionTokens: row?.completion ?? 0,
      cost: row?.cost ?? 0,
    };
  }
}
