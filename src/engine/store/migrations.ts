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
  /* 3: Postgres change triggers: activation, the confirmed source position, backfill progress */ `
  CREATE TABLE pg_triggers (
    flow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    slot_name TEXT NOT NULL,
    publication TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    -- The node config the slot was made with (secret references only, never values): lets us
    -- drop the slot after the node or the whole flow is gone.
    config TEXT NOT NULL,
    -- We created the slot / publication, so they are ours to drop.
    created_slot INTEGER NOT NULL DEFAULT 0,
    -- End LSN (hex, fixed width) of the last commit whose runs are in this database. Written in
    -- the same transaction as those runs; only positions at or before it are confirmed to Postgres.
    confirmed_lsn TEXT,
    backfill TEXT,
    state TEXT NOT NULL DEFAULT 'inactive',
    message TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (flow_id, node_id)
  ) WITHOUT ROWID;
  -- The scheduler's "next runs" queries walk these instead of scanning every run ever kept:
  -- with a trigger's backlog of queued runs behind many finished ones, a scan per tick was the bottleneck.
  CREATE INDEX runs_queued ON runs (seq) WHERE status = 'queued';
  CREATE INDEX runs_waiting ON runs (seq) WHERE status = 'waiting';
  `,
  /* 4: durability frontier — fewer indexes on the run-creation hot path */ `
  -- runs_active indexed every queued/running/waiting run by (status, wake_at): one more B-tree
  -- write per run created and per status change. The queue reads runs_queued / runs_waiting;
  -- start-up recovery reads runs still "running" through this much smaller partial index.
  DROP INDEX runs_active;
  CREATE INDEX runs_running ON runs (seq) WHERE status = 'running';
  `,
  /* 5: approvals — one row per approval request (run, node); decided exactly once by a conditional UPDATE */ `
  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,               -- request id: new per request, never reused (a re-run opens a new one)
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    flow_name TEXT NOT NULL,
    node_name TEXT NOT NULL,
    title TEXT NOT NULL,
    instructions TEXT NOT NULL,
    assignee TEXT NOT NULL,
    run_input TEXT,                    -- kept with the request: exports outlive pruned runs
    payload TEXT NOT NULL,             -- { data, context } exactly as shown
    payload_hash TEXT NOT NULL,        -- sha256 of payload: a decision is bound to what was shown
    fields TEXT NOT NULL,              -- the edit schema
    token_hash TEXT NOT NULL UNIQUE,   -- sha256 of the decision-link token (the token itself is never stored)
    status TEXT NOT NULL,              -- pending | decided | timed-out | replaced
    decision TEXT,                     -- DecisionRecord JSON
    output TEXT,                       -- the data with the reviewer's edits
    replaced_by TEXT,                  -- run id of the re-run that replaced this request
    on_timeout TEXT NOT NULL,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    UNIQUE (run_id, node_id)
  );
  CREATE INDEX approvals_pending ON approvals (created_at) WHERE status = 'pending';
  CREATE INDEX approvals_flow ON approvals (flow_id, node_id, created_at);
  `,
  /* 6: run history and per-node analytics — facts as real columns, an FTS5 extract, one covering index */ `
  -- Node runs carry their flow, duration, cost and tokens as columns so "patterns across runs" is
  -- SQL over an index, never JSON parsed per row. Written by RunStore's node upsert.
  ALTER TABLE node_runs ADD COLUMN flow_id TEXT;
  ALTER TABLE node_runs ADD COLUMN duration_ms INTEGER;
  ALTER TABLE node_runs ADD COLUMN cost_usd REAL;
  ALTER TABLE node_runs ADD COLUMN tokens INTEGER;
  ALTER TABLE node_runs ADD COLUMN cache_hit INTEGER;
  -- Serves the per-node aggregation (flow_id = ? GROUP BY node_id, covering) and exact percentiles
  -- (ORDER BY duration_ms LIMIT 1 OFFSET k within one node) without touching the table.
  CREATE INDEX node_runs_stats ON node_runs (flow_id, node_id, duration_ms, started_at, status, attempt, cost_usd, tokens, cache_hit);
  -- What started a run, read from its input (a change event) only when a query asks: no cost at ingest.
  ALTER TABLE runs ADD COLUMN trigger_table TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(input) AND json_type(input, '$.operation') = 'text' THEN json_extract(input, '$.schema') || '.' || json_extract(input, '$.table') END) VIRTUAL;
  ALTER TABLE runs ADD COLUMN trigger_op TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(input) AND json_type(input, '$.operation') = 'text' THEN json_extract(input, '$.operation') END) VIRTUAL;
  ALTER TABLE runs ADD COLUMN trigger_key TEXT GENERATED ALWAYS AS (CASE WHEN json_valid(input) AND json_type(input, '$.key') = 'object' THEN json_extract(input, '$.key') END) VIRTUAL;
  -- Total cost of a run, summed once when it finishes (trigger below).
  ALTER TABLE runs ADD COLUMN cost_usd REAL;
  -- Text search over a bounded extract of each finished run (input, node outputs, errors): 16 kB at most.
  CREATE VIRTUAL TABLE run_text USING fts5(body, content='', contentless_delete=1);
  CREATE TRIGGER runs_finished_facts AFTER UPDATE OF finished_at ON runs
  WHEN new.finished_at IS NOT NULL AND old.finished_at IS NULL
  BEGIN
    UPDATE runs SET cost_usd = (SELECT sum(cost_usd) FROM node_runs WHERE run_id = new.id) WHERE seq = new.seq;
    INSERT OR REPLACE INTO run_text (rowid, body) VALUES (new.seq, substr(
      coalesce(substr(new.input, 1, 4000), '') || ' ' || coalesce(new.error, '') || ' ' ||
      coalesce((SELECT group_concat(substr(coalesce(output, '') || ' ' || coalesce(error, ''), 1, 2000), ' ') FROM node_runs WHERE run_id = new.id), ''),
      1, 16000));
  END;
  CREATE TRIGGER runs_deleted_text AFTER DELETE ON runs BEGIN DELETE FROM run_text WHERE rowid = old.seq; END;
  -- Existing databases: the same facts for the runs already kept.
  UPDATE node_runs SET
    flow_id = (SELECT flow_id FROM runs WHERE runs.id = node_runs.run_id),
    duration_ms = CASE WHEN status <> 'skipped' AND finished_at IS NOT NULL AND started_at IS NOT NULL THEN finished_at - started_at END,
    cost_usd = CASE WHEN node_type LIKE 'llm-call@%' AND json_valid(outputs) THEN json_extract(outputs, '$.call.cost.usd') END,
    tokens = CASE WHEN node_type LIKE 'llm-call@%' AND json_valid(outputs) THEN json_extract(outputs, '$.call.usage.totalTokens') END,
    cache_hit = CASE WHEN node_type LIKE 'llm-call@%' AND json_valid(outputs) THEN json_extract(outputs, '$.call.cache.hit') END;
  UPDATE runs SET cost_usd = (SELECT sum(cost_usd) FROM node_runs WHERE run_id = runs.id) WHERE finished_at IS NOT NULL;
  INSERT INTO run_text (rowid, body) SELECT seq, substr(
      coalesce(substr(input, 1, 4000), '') || ' ' || coalesce(error, '') || ' ' ||
      coalesce((SELECT group_concat(substr(coalesce(output, '') || ' ' || coalesce(error, ''), 1, 2000), ' ') FROM node_runs WHERE run_id = runs.id), ''),
      1, 16000)
    FROM runs WHERE finished_at IS NOT NULL;
  `,
  /* 7: pinned node outputs (test data for manual runs), kept beside the flow, not inside its versions */ `
  -- Outside the flow document: a pin can be megabytes, and every flow save snapshots the document.
  CREATE TABLE node_pins (
    flow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    outputs TEXT NOT NULL,          -- every output port, as the node produced them in the source run
    output TEXT NOT NULL,           -- what the trace shows (the single port's value, or all ports)
    source_run_id TEXT NOT NULL,
    pinned_at INTEGER NOT NULL,
    PRIMARY KEY (flow_id, node_id)
  ) WITHOUT ROWID;
  CREATE TRIGGER flows_deleted_pins AFTER DELETE ON flows BEGIN DELETE FROM node_pins WHERE flow_id = old.id; END;
  `,
  /* 8: the run whose effects a re-run repeats (idempotency keys survive re-runs) */ `
  -- NULL = the run itself. A re-run (whole or from a node) keys its effects by the first run of
  -- its chain, so the target recognises a repeat: not twice, also across re-runs.
  ALTER TABLE runs ADD COLUMN effect_key_run_id TEXT;
  `,
  /* 9: test runs (Run on a change-trigger flow with a sample or a recent row): labelled, and sinks may skip them */ `
  ALTER TABLE runs ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0;
  `,
  /* 10: a payload is stored once — large values of run data by content hash, referenced per run (store/payloads.ts) */ `
  CREATE TABLE payloads (
    hash TEXT PRIMARY KEY,          -- sha256 of body
    body TEXT NOT NULL,             -- JSON text (may itself refer to smaller payloads)
    bytes INTEGER NOT NULL
  );  -- a rowid table: WITHOUT ROWID suits small rows, these are 4 KB and up
  -- Which run refers to which payload: pruning a run releases its rows, a payload without rows is deleted.
  CREATE TABLE payload_refs (
    hash TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (hash, run_id)
  ) WITHOUT ROWID;
  CREATE INDEX payload_refs_by_run ON payload_refs (run_id);
  `,
  /* 11: named Postgres connections, picked by the change trigger and the sink (secret references only, never a value) */ `
  CREATE TABLE pg_connections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    settings TEXT NOT NULL,         -- JSON: host, port, database, user, password + connectionString as secret:NAME, tls
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- A trigger whose connection moved to another server gets a new slot there; its LSNs can repeat
  -- the old server's, so the run dedupe keys of each new slot incarnation carry this number (0 = as before).
  ALTER TABLE pg_triggers ADD COLUMN slot_epoch INTEGER NOT NULL DEFAULT 0;
  -- Where the slot lives (connection settings with secret references, never values): when a new slot
  -- is made elsewhere, the old one is dropped there instead of pinning WAL on that server forever.
  ALTER TABLE pg_triggers ADD COLUMN slot_settings TEXT;
  `,
  /* 12: the search extract of finished runs is indexed in batches (store/run-text-index.ts) */ `
  -- A run's end records only its seq here; RunTextIndexer fills run_text in batches, and a text
  -- search indexes what is pending first. Cost and the rest of migration 6's trigger stay as they were.
  CREATE TABLE run_text_pending (seq INTEGER PRIMARY KEY);
  DROP TRIGGER runs_finished_facts;
  CREATE TRIGGER runs_finished_facts AFTER UPDATE OF finished_at ON runs
  WHEN new.finished_at IS NOT NULL AND old.finished_at IS NULL
  BEGIN
    UPDATE runs SET cost_usd = (SELECT sum(cost_usd) FROM node_runs WHERE run_id = new.id) WHERE seq = new.seq;
    INSERT OR IGNORE INTO run_text_pending (seq) VALUES (new.seq);
  END;
  DROP TRIGGER runs_deleted_text;
  CREATE TRIGGER runs_deleted_text AFTER DELETE ON runs BEGIN
    DELETE FROM run_text WHERE rowid = old.seq;
    DELETE FROM run_text_pending WHERE seq = old.seq;
  END;
  `,
];
