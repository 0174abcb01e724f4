/**
 * SQLite schema migrations, applied in order and recorded in `PRAGMA user_version`.
 * Never edit a shipped migration: append a new one.
 */
export const sqliteMigrations: readonly string[] = [
  /* 1: flows, runs, node journal, step memo */ `
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
    id TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL,
    flow_version INTEGER NOT NULL,
    flow_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
    input TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX runs_by_flow ON runs (flow_id, created_at DESC);
  CREATE INDEX runs_by_status ON runs (status) WHERE status IN ('queued','running');
  -- One row per node per run: the trace shown on the canvas.
  CREATE TABLE node_runs (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    node_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','skipped')),
    input TEXT,
    output TEXT,
    error TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, node_id)
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
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
];
