/**
 * SQLite schema migrations, applied in order and recorded in `PRAGMA user_version`.
 * Never edit a shipped migration: append a new one.
 */
export const sqliteMigrations: readonly string[] = [
  /* 1: flows, runs, node journal, steps, waits, signals */ `
  CREATE TABLE flows (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Snapshots of the versions runs were started with: a run is pinned to its flow version.
  CREATE TABLE flow_versions (
    flow_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (flow_id, version)
  );
  CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order (ordering keys, queue)
    id TEXT NOT NULL UNIQUE,
    flow_id TEXT NOT NULL,
    flow_version INTEGER NOT NULL,
    flow_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued','running','waiting','succeeded','failed','cancelled')),
    input TEXT,
    error TEXT,
    dedupe_key TEXT,
    ordering_key TEXT,
    parent_run_id TEXT,
    input_overrides TEXT,
    wake_at INTEGER,
    deadline_at INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX runs_by_flow ON runs (flow_id, created_at DESC);
  CREATE INDEX runs_active ON runs (status, wake_at) WHERE status IN ('queued','running','waiting');
  CREATE INDEX runs_by_ordering_key ON runs (ordering_key, seq) WHERE ordering_key IS NOT NULL AND status IN ('queued','running','waiting');
  -- The same source event never creates two runs.
  CREATE UNIQUE INDEX runs_dedupe ON runs (flow_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
  CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
  -- One row per node per run: the trace on the canvas, and the replay state on resume.
  CREATE TABLE node_runs (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    node_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','waiting','succeeded','failed','skipped')),
    attempt INTEGER NOT NULL DEFAULT 1,
    input TEXT,
    outputs TEXT,   -- every output port, replayed on resume
    output TEXT,    -- what the trace shows
    error TEXT,
    waiting TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, node_id)
  ) WITHOUT ROWID;
  CREATE TABLE node_attempts (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    error TEXT NOT NULL,
    at INTEGER NOT NULL,
    retry_at INTEGER,
    PRIMARY KEY (run_id, node_id, attempt)
  ) WITHOUT ROWID;
  -- Memoised side effects, keyed by graph ids (run, node, step name), never by call order.
  CREATE TABLE steps (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    name TEXT NOT NULL,
    node_type TEXT NOT NULL,
    output TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, node_id, name)
  ) WITHOUT ROWID;
  CREATE TABLE waits (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    name TEXT NOT NULL,
    signal TEXT,
    wake_at INTEGER,
    resolved_at INTEGER,
    result TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, node_id, name)
  ) WITHOUT ROWID;
  -- Signals are kept even when they arrive before the wait; the key makes a second delivery a no-op.
  CREATE TABLE signals (
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    payload TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, name)
  ) WITHOUT ROWID;
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  /* 2: LLM gateway — exact-match response cache, spend per flow per day (budgets) */ `
  CREATE TABLE llm_cache (
    key TEXT PRIMARY KEY,          -- sha256 of provider, endpoint, model, parameters, rendered prompt, schema
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX llm_cache_expiry ON llm_cache (expires_at);
  CREATE TABLE llm_usage (
    flow_id TEXT NOT NULL,
    day TEXT NOT NULL,             -- UTC date, YYYY-MM-DD
    calls INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    unpriced_calls INTEGER NOT NULL DEFAULT 0,   -- calls whose cost is unknown (not in cost_usd)
    PRIMARY KEY (flow_id, day)
  ) WITHOUT ROWID;
  `,
];
