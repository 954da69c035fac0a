/**
 * The run database's tables. One file per run directory; every teacher call is a row in `calls`,
 * every finished or failed item a row in `items`. Versioned with `PRAGMA user_version` so a newer
 * medistill can migrate an older run instead of misreading it. Every statement is idempotent, so
 * migrating is running it again: version 2 added `egress`, version 3 `reviews`.
 */
export const storeSchemaVersion = 3;

export const storeSchemaSql = `
CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY,
  request_hash TEXT NOT NULL,
  model_id TEXT NOT NULL,
  stage TEXT,
  item_id TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  request_json TEXT NOT NULL,
  response_json TEXT,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cost REAL,
  latency_ms REAL NOT NULL,
  http_status INTEGER,
  error_name TEXT,
  error_message TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_successful_by_hash ON calls (request_hash) WHERE response_json IS NOT NULL;

CREATE TABLE IF NOT EXISTS stages (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT
);

CREATE TABLE IF NOT EXISTS items (
  stage TEXT NOT NULL,
  item_id TEXT NOT NULL,
  status TEXT NOT NULL,
  result_json TEXT,
  error_name TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (stage, item_id)
);

CREATE TABLE IF NOT EXISTS egress (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  host TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  local INTEGER NOT NULL,
  model_id TEXT,
  stage TEXT,
  item_id TEXT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER,
  bytes_sent INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  error_code TEXT
);

CREATE TABLE IF NOT EXISTS reviews (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  item_id TEXT NOT NULL,
  original_hash TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'edit')),
  text TEXT,
  reviewer TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  strategy TEXT,
  seed INTEGER,
  note TEXT
);
CREATE INDEX IF NOT EXISTS reviews_by_target ON reviews (stage, item_id, original_hash);
`;
