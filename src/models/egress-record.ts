/**
 * One HTTP request a model made, as the egress log keeps it. Sizes and places only: no header,
 * no key, no text (the call log holds the text).
 */
export interface EgressRecord {
  startedAt: Date;
  /** The host name the spec names. */
  host: string;
  /** The address the request went to (pinned when the run started). */
  address: string;
  port: number;
  /** The address is a loopback address: the request never left the machine. */
  local: boolean;
  modelId?: string;
  stage?: string;
  itemId?: string;
  method: string;
  /** The URL path, without query. */
  path: string;
  status?: number;
  /** Request body bytes. */
  bytesSent: number;
  /** Response body bytes. */
  bytesReceived: number;
  durationMs: number;
  /** The error code when no response came (e.g. ECONNREFUSED); never a message. */
  errorCode?: string;
}

/** Where egress records go; a RunStore's `egress` is one. */
export interface EgressRecorder {
  record(entry: EgressRecord): void | Promise<void>;
}
