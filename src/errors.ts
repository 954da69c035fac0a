/**
 * Typed errors. The library throws these; the CLI turns them into one clear message and an
 * exit code. Every error has a stable `name` so callers can branch without instanceof across
 * module copies.
 */
export class MedistillError extends Error {
  override readonly name: string = 'MedistillError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A location in a user's input: the file, and where known the line and field. */
export interface InputLocation {
  file: string;
  line?: number;
  field?: string;
}

export function formatLocation(location: InputLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.field !== undefined) text += ` (field "${location.field}")`;
  return text;
}

/** Bad user input: a malformed file, a missing field, an out-of-range value. */
export class InputError extends MedistillError {
  override readonly name: string = 'InputError';
  readonly location: InputLocation | undefined;
  constructor(message: string, location?: InputLocation, options?: { cause?: unknown }) {
    super(location ? `${formatLocation(location)}: ${message}` : message, options);
    this.location = location;
  }
}

/** A file that should be a model but is not one we can read, or an architecture we cannot handle. */
export class ModelFormatError extends InputError {
  override readonly name = 'ModelFormatError';
}

/** A run configuration or CLI flag that cannot work; raised before any work starts. */
export class ConfigError extends MedistillError {
  override readonly name = 'ConfigError';
}

/** A call to a model server failed. Carries what is needed to decide on a retry and to report it. */
export class ApiCallError extends MedistillError {
  override readonly name = 'ApiCallError';
  readonly url: string;
  readonly status: number | undefined;
  readonly responseBody: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly isRetryable: boolean;
  constructor(
    message: string,
    details: {
      url: string;
      status?: number;
      responseBody?: string;
      requestId?: string;
      retryAfterMs?: number;
      isRetryable: boolean;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.responseBody = details.responseBody;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.isRetryable = details.isRetryable;
  }
}

/** The run's budget (cost or tokens) is spent; the run stops cleanly and can resume later. */
export class BudgetExceededError extends MedistillError {
  override readonly name = 'BudgetExceededError';
}

/** Training could not proceed (out of memory, diverged, data longer than the context). */
export class TrainingError extends MedistillError {
  override readonly name = 'TrainingError';
}

/** The caller's AbortSignal fired. */
export class AbortedError extends MedistillError {
  override readonly name = 'AbortedError';
}

/**
 * A stage ended with too few usable items for its strategy to go on (a teacher whose replies are
 * unreadable, no examples left to train on). It stops that strategy; the others still report.
 */
export class StageFailedError extends MedistillError {
  override readonly name = 'StageFailedError';
  /** Where the full list of failed items was written, if anywhere. */
  readonly failuresPath: string | undefined;
  constructor(message: string, failuresPath?: string) {
    super(message);
    this.failuresPath = failuresPath;
  }
}

/** Every strategy of a run failed: the message holds each one's reason, and there is nothing to report. */
export class RunFailedError extends MedistillError {
  override readonly name = 'RunFailedError';
  readonly strategyErrors: ReadonlyMap<string, string>;
  constructor(strategyErrors: ReadonlyMap<string, string>) {
    super(
      `every strategy failed, so there are no results to report:\n${[...strategyErrors]
        .map(([strategy, message]) => `  ${strategy}: ${message}`)
        .join('\n')}`,
    );
    this.strategyErrors = strategyErrors;
  }
}

/** Who holds a run directory's lock: enough to find the process and to tell a dead one. */
export interface RunLockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock (ISO time). */
  startedAt: string;
  /** The holder's start time in clock ticks since boot (Linux /proc), to tell a reused pid. */
  processStart?: string;
  /** The command line that took it, for the message. */
  command: string;
  /** Unique per acquisition, so a holder removes only its own lock. */
  token: string;
}

/** Another live process is working in this run directory; two runs would repeat every teacher call. */
export class RunDirectoryLockedError extends MedistillError {
  override readonly name = 'RunDirectoryLockedError';
  readonly holder: RunLockHolder;
  readonly lockPath: string;
  constructor(message: string, lockPath: string, holder: RunLockHolder) {
    super(message);
    this.lockPath = lockPath;
    this.holder = holder;
  }
}

export function isMedistillError(error: unknown): error is MedistillError {
  return error instanceof Error && error instanceof MedistillError;
}

/**
 * A run or command would send data somewhere its privacy policy does not allow, or the data holds
 * likely identifiers the user has not acknowledged. Raised before anything is sent.
 */
export class PrivacyError extends MedistillError {
  override readonly name = 'PrivacyError';
}
