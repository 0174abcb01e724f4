/**
 * Activates and deactivates the Postgres change triggers of flows, keeps their state in SQLite
 * and resumes them after a restart. It owns every slot it creates: deactivating with "drop" or
 * deleting the flow (or the node) drops the slot and the publication, so no orphan slot keeps
 * WAL on the user's server.
 */
import pg from 'pg';
import { z } from 'zod';
import type { Flow } from '../../shared/flow/schema';
import { EngineError } from '../../shared/api';
import type { SetupReport, TriggerStatus } from '../../shared/triggers';
import { postgresChange, postgresChangeConfig, parseTableList, type PostgresChangeConfig } from '../../nodes/postgres-change.node.js';
import { typeRef } from '../../shared/node-kit';
import type { TriggerStore, BackfillState } from './trigger-store';
import type { ShapedChange } from './pg/change-shaper';
import { describePgError, envSecretResolver, namedSettings, resolveConnection, type NamedConnections, type ResolveSecret } from './pg/connection';
import type { PgConnectionSettings } from '../../shared/services';
import { triggerObjectName } from './pg/names';
import { PgTrigger } from './pg/pg-trigger';
import { checkSetup } from './pg/setup-check';
import { sampleChanges, type SampledChanges } from './pg/sample-changes';
import { dropPublication, dropSlot, ensurePublication, ensureSlot, slotHealth } from './pg/slot';
import { newId } from '../../shared/ids';

export interface TriggerRunInput {
  input: unknown;
  dedupeKey: string;
  orderingKey: string | null;
}

export interface TriggerManagerOptions {
  store: TriggerStore;
  /** The saved flow (throws not_found). */
  getFlow(flowId: string): Promise<Flow>;
  /** Durable bulk enqueue with `alsoWrite` in the same transaction. */
  enqueue(flowId: string, runs: TriggerRunInput[], alsoWrite: () => void): Promise<{ created: number }>;
  resolveSecret?: ResolveSecret;
  /** Named connections (src/engine/connections), read at every (re)connect. */
  namedConnections?: NamedConnections;
  onStatus(status: TriggerStatus): void;
  log(line: string): void;
  /** Resolves once everything written to the store so far is fsynced (slot ownership must survive a power cut). */
  durable?: () => Promise<void>;
  healthIntervalMs?: number;
  maxInFlight?: number;
  /** The tests' broken variant: the backfill ignores live changes its snapshot did not see. */
  backfillIgnoresSnapshot?: boolean;
}

const REF = typeRef(postgresChange);
const key = (flowId: string, nodeId: string) => `${flowId}\u0000${nodeId}`;

function triggerNodes(flow: Flow) {
  return flow.nodes.filter((n) => n.type === REF);
}

export class TriggerManager {
  private readonly running = new Map<string, PgTrigger>();
  private readonly resolveSecret: ResolveSecret;
  private closed = false;

  constructor(private readonly o: TriggerManagerOptions) {
    this.resolveSecret = o.resolveSecret ?? envSecretResolver;
  }

  /** At start-up: every trigger that was active resumes from its confirmed position. */
  resumeAll(): void {
    for (const row of this.o.store.all()) {
      if (!row.active) continue;
      const cfg = postgresChangeConfig.safeParse(row.config);
      if (!cfg.success) {
        this.o.store.setState(row.flowId, row.nodeId, 'error', 'the stored trigger settings no longer validate; activate the flow again');
        continue;
      }
      this.launch(row.flowId, row.nodeId, cfg.data);
    }
  }

  async checkSetup(flowId: string, nodeId: string): Promise<SetupReport> {
    const flow = await this.o.getFlow(flowId);
    const node = flow.nodes.find((n) => n.id === nodeId);
    if (!node || node.type !== REF) throw new EngineError('not_found', `the flow has no Postgres change node "${nodeId}"`);
    const cfg = postgresChangeConfig.safeParse(node.config);
    if (!cfg.success) throw new EngineError('invalid_argument', `"${node.name}" has invalid settings; fix them in the inspector first`);
    const names = this.names(flowId, nodeId);
    try {
      return await checkSetup(cfg.data, await resolveConnection(cfg.data, this.resolveSecret, this.o.namedConnections), names);
    } catch (e) {
      return { ok: false, connected: false, serverVersion: null, problems: [{ level: 'error', code: 'secret', message: e instanceof Error ? e.message : String(e) }] };
    }
  }

  /** Recent rows of the trigger's tables shaped as its changes (the Run dialog's "a recent real change"). Reads only. */
  async sampleChanges(flowId: string, nodeId: string, limit: number): Promise<SampledChanges> {
    const flow = await this.o.getFlow(flowId);
    const node = flow.nodes.find((n) => n.id === nodeId);
    if (!node || node.type !== REF) throw new EngineError('not_found', `the flow has no Postgres change node "${nodeId}"`);
    const cfg = postgresChangeConfig.safeParse(node.config);
    if (!cfg.success) throw new EngineError('invalid_argument', `"${node.name}" has invalid settings; fix them in the inspector first`);
    const conn = await resolveConnection(cfg.data, this.resolveSecret, this.o.namedConnections).catch((e: unknown) => {
      throw new EngineError('invalid_argument', `"${node.name}": ${e instanceof Error ? e.message : String(e)}`);
    });
    const client = new pg.Client(conn.config);
    // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await sampleChanges(client, cfg.data, limit);
    } catch (e) {
      throw new EngineError('invalid_argument', `"${node.name}": cannot read recent rows: ${describePgError(e, conn.redact)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Starts every Postgres change trigger of the flow (creating publication and slot); refuses with the setup problems. */
  async activate(flowId: string, options: { resync?: boolean } = {}): Promise<TriggerStatus[]> {
    const flow = await this.o.getFlow(flowId);
    const nodes = triggerNodes(flow);
    if (nodes.length === 0) throw new EngineError('invalid_argument', `"${flow.name}" has no Postgres change trigger to activate`);
    for (const node of nodes) {
      const cfg = postgresChangeConfig.parse(node.config);
      const names = this.names(flowId, node.id);
      await this.stopRunning(flowId, node.id);
      const conn = await resolveConnection(cfg, this.resolveSecret, this.o.namedConnections).catch((e: unknown) => {
        throw new EngineError('invalid_argument', `"${node.name}": ${e instanceof Error ? e.message : String(e)}`);
      });
      const existing = this.o.store.get(flowId, node.id);
      const client = new pg.Client(conn.config);
    // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
    client.on('error', () => undefined);
      // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
        if (options.resync) {
          await dropSlot(client, names.slot).catch(() => false);
          this.o.store.resetSlot(flowId, node.id);
        }
        const report = await checkSetup(cfg, conn, names);
        const errors = report.problems.filter((p) => p.level === 'error');
        if (errors.length > 0) {
          throw new EngineError('invalid_argument', `"${node.name}" cannot start: ${errors.map((p) => `${p.message}${p.fix ? ` ${p.fix}` : ''}`).join(' | ')}`);
        }
        await ensurePublication(client, names.publication, parseTableList(cfg.tables));
        // Ownership is durable before the slot exists: a crash right after creating it must not
        // leave a slot (pinning WAL on the user's server) that this app does not know it owns.
        // Slots are named millrace_<flow>_<node>, so one of that name is taken to be ours.
        this.o.store.save({ flowId, nodeId: node.id, ...names, active: true, config: cfg, createdSlot: existing?.createdSlot ?? true, state: 'starting' });
        await this.o.durable?.();
        const { created } = await ensureSlot(client, names.slot);
        // A slot created just now starts at its own position. A stored position belonged to an earlier
        // slot (lost, or on the server a named connection pointed at before its edit): starting from it
        // on this server could skip changes, so it is forgotten.
        // Its LSNs may also repeat the old server's: a new epoch keeps those changes from being taken
        // for runs that already exist (run dedupe keys are commit LSN + position).
        const where = slotSettingsJson(namedSettings(cfg, this.o.namedConnections));
        if (created && existing?.confirmedLsn) {
          this.o.store.resetSlot(flowId, node.id);
          this.o.store.bumpEpoch(flowId, node.id);
          // The slot it replaces lives on the server the connection pointed at before: drop it there.
          if (existing.slotSettings && existing.slotSettings !== where) await this.dropMovedSlot(existing.slotSettings, names);
        }
        this.o.store.setSlotSettings(flowId, node.id, where);
        this.o.store.save({ flowId, nodeId: node.id, ...names, active: true, config: cfg, createdSlot: created || (existing?.createdSlot ?? false), state: 'starting' });
        await this.o.durable?.();
        const fresh = created || options.resync === true || existing?.backfill == null;
        if (cfg.backfill && fresh) this.o.store.saveBackfill(flowId, node.id, newBackfill(cfg));
      } catch (e) {
        if (e instanceof EngineError) throw e;
        throw new EngineError('invalid_argument', `"${node.name}": ${describePgError(e, conn.redact)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
      this.launch(flowId, node.id, cfg);
    }
    return this.status(flowId);
  }

  /** Stops the flow's triggers; with `dropSlot` also drops their slots and publications (else they keep WAL for a later resume). */
  async deactivate(flowId: string, dropSlots: boolean): Promise<TriggerStatus[]> {
    const rows = this.o.store.forFlow(flowId);
    for (const row of rows) {
      await this.stopRunning(flowId, row.nodeId);
      if (dropSlots) {
        await this.dropObjects(row.slot, row.publication, row.config);
        this.o.store.delete(flowId, row.nodeId);
        this.o.onStatus(this.inactiveStatus(flowId, row.nodeId));
      } else {
        this.o.store.setActive(flowId, row.nodeId, false);
        this.o.onStatus({ ...this.inactiveStatus(flowId, row.nodeId), message: PAUSED_MESSAGE, paused: true });
      }
    }
    return this.statusWithBacklog(flowId);
  }

  /** Before a flow is deleted: its triggers stop and their slots go with it. */
  async flowDeleted(flowId: string): Promise<void> {
    await this.deactivate(flowId, true);
  }

  /**
   * After a save: a trigger whose node is gone is stopped and its slot dropped; changed settings
   * restart the flow's triggers in the background (autosave must not wait on the user's Postgres).
   */
  async flowSaved(flow: Flow): Promise<void> {
    let restart = false;
    for (const row of this.o.store.forFlow(flow.id)) {
      const node = flow.nodes.find((n) => n.id === row.nodeId && n.type === REF);
      if (!node) {
        await this.stopRunning(flow.id, row.nodeId);
        try {
          await this.dropObjects(row.slot, row.publication, row.config);
          this.o.store.delete(flow.id, row.nodeId);
        } catch (e) {
          // Kept (inactive) so the slot is not forgotten: the message says how to drop it by hand.
          this.o.store.setActive(flow.id, row.nodeId, false);
          this.o.store.setState(flow.id, row.nodeId, 'error', e instanceof Error ? e.message : String(e));
        }
        continue;
      }
      if (row.active && JSON.stringify(node.config) !== JSON.stringify(row.config) && postgresChangeConfig.safeParse(node.config).success) restart = true;
    }
    if (restart) {
      void this.activate(flow.id).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.o.log(`re-activating the triggers of ${flow.id} after an edit failed: ${message}`);
        for (const row of this.o.store.forFlow(flow.id)) this.o.store.setState(flow.id, row.nodeId, 'error', message);
      });
    }
  }

  /**
   * A named connection was edited: the running triggers that pick it reconnect with its new
   * settings now (activation checks the setup and creates slot and publication where they are missing).
   */
  connectionChanged(connectionId: string): void {
    const flows = new Set<string>();
    for (const row of this.o.store.all()) {
      const cfg = postgresChangeConfig.safeParse(row.config);
      if (row.active && cfg.success && cfg.data.connection === connectionId && this.running.has(key(row.flowId, row.nodeId))) flows.add(row.flowId);
    }
    for (const flowId of flows) {
      void this.activate(flowId).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.o.log(`reconnecting the triggers of ${flowId} after a connection edit failed: ${message}`);
        for (const row of this.o.store.forFlow(flowId)) this.o.store.setState(flowId, row.nodeId, 'error', message);
      });
    }
  }

  status(flowId: string): TriggerStatus[] {
    return this.o.store.forFlow(flowId).map((row) => {
      const running = this.running.get(key(flowId, row.nodeId));
      if (running) return { ...running.status };
      // A stored row that is not running is paused (its slot keeps the changes). The last message of
      // a running trigger ("Retrying (attempt 6)") is stale once stopped; slot-lost and errors stay.
      if (row.state === 'slot_lost') return { ...this.inactiveStatus(flowId, row.nodeId), state: 'slot_lost', message: row.message };
      return { ...this.inactiveStatus(flowId, row.nodeId), message: row.state === 'error' ? row.message : PAUSED_MESSAGE, ...(row.active ? {} : { paused: true }) };
    });
  }

  /**
   * `status`, plus the slot's health for paused triggers, read now: the backlog (WAL written since
   * the last confirmed position) and the WAL the slot keeps on the server. One short connection and
   * one query on pg_replication_slots per paused trigger; unreachable Postgres leaves health null.
   */
  async statusWithBacklog(flowId: string): Promise<TriggerStatus[]> {
    const list = this.status(flowId);
    return Promise.all(
      list.map(async (s) => {
        const row = s.paused ? this.o.store.get(flowId, s.nodeId) : undefined;
        const cfg = row ? postgresChangeConfig.safeParse(row.config) : undefined;
        if (!row || !cfg?.success) return s;
        // The reason goes into the status (shown on the panel), not the log: a polled panel would repeat it.
        const unknown = (why: string) => ({ ...s, message: `${PAUSED_MESSAGE} Backlog unknown: ${why}` });
        const conn = await resolveConnection(cfg.data, this.resolveSecret, this.o.namedConnections).catch((e: unknown) => e as Error);
        if (conn instanceof Error) return unknown(conn.message);
        const client = new pg.Client({ ...conn.config, connectionTimeoutMillis: 5_000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return { ...s, health: await slotHealth(client, row.slot) };
        } catch (e) {
          return unknown(describePgError(e, conn.redact));
        } finally {
          await client.end().catch(() => undefined);
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()].map((t) => t.stop()));
    this.running.clear();
  }

  private names(flowId: string, nodeId: string) {
    const name = triggerObjectName(flowId, nodeId);
    return { slot: name, publication: name };
  }

  private launch(flowId: string, nodeId: string, cfg: PostgresChangeConfig) {
    const row = this.o.store.get(flowId, nodeId);
    // A background re-activation that finishes after close() must not start anything.
    if (!row || this.closed) return;
    const trigger = new PgTrigger({
      flowId,
      nodeId,
      slot: row.slot,
      publication: row.publication,
      config: cfg,
      confirmedLsn: row.confirmedLsn,
      slotEpoch: row.slotEpoch,
      resolveSecret: this.resolveSecret,
      ...(this.o.namedConnections ? { namedConnections: this.o.namedConnections } : {}),
      enqueue: (runs: ShapedChange[], alsoWrite) =>
        // Per-row order holds within a flow: ordering keys are global in the queue, so they carry the
        // flow id (a run waiting in one flow must not hold another flow's run for the same row).
        this.o.enqueue(flowId, runs.map((r) => ({ input: r.event, dedupeKey: r.dedupeKey, orderingKey: r.orderingKey === null ? null : `${flowId}:${r.orderingKey}` })), alsoWrite),
      store: this.o.store,
      onStatus: (s) => this.o.onStatus(s),
      log: this.o.log,
      ...(this.o.healthIntervalMs !== undefined ? { healthIntervalMs: this.o.healthIntervalMs } : {}),
      ...(this.o.maxInFlight !== undefined ? { maxInFlight: this.o.maxInFlight } : {}),
      ...(this.o.backfillIgnoresSnapshot ? { backfillIgnoresSnapshot: true } : {}),
    });
    this.running.set(key(flowId, nodeId), trigger);
    this.o.onStatus({ ...trigger.status });
    trigger.start();
  }

  private async stopRunning(flowId: string, nodeId: string) {
    const t = this.running.get(key(flowId, nodeId));
    this.running.delete(key(flowId, nodeId));
    await t?.stop();
  }

  private async dropObjects(slot: string, publication: string, rawConfig: unknown) {
    const cfg = postgresChangeConfig.safeParse(rawConfig);
    if (!cfg.success) throw new EngineError('internal', `cannot drop slot ${slot}: its stored settings are unreadable; drop it by hand: SELECT pg_drop_replication_slot('${slot}');`);
    const conn = await resolveConnection(cfg.data, this.resolveSecret, this.o.namedConnections);
    const client = new pg.Client(conn.config);
    // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await dropSlot(client, slot);
      await dropPublication(client, publication);
    } catch (e) {
      throw new EngineError('internal', `could not drop the replication slot ${slot}: ${describePgError(e, conn.redact)}. Drop it by hand: SELECT pg_drop_replication_slot('${slot}');`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Best effort: a failure is logged with the SQL to run there, and never stops the activation. */
  private async dropMovedSlot(settingsJson: string, names: { slot: string; publication: string }) {
    let conn: Awaited<ReturnType<typeof resolveConnection>> | undefined;
    let where = 'the previous server';
    try {
      const settings = StoredSettings.parse(JSON.parse(settingsJson));
      where = settings.connectionString ? `the server of ${settings.connectionString}` : `${settings.host}:${settings.port}/${settings.database}`;
      conn = await resolveConnection(settings, this.resolveSecret);
      const client = new pg.Client({ ...conn.config, connectionTimeoutMillis: 5_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await dropSlot(client, names.slot);
        await dropPublication(client, names.publication);
        this.o.log(`dropped the replication slot ${names.slot} on ${where}: the trigger's connection now points at another server`);
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch (e) {
      const message = conn ? describePgError(e, conn.redact) : e instanceof Error ? e.message : String(e);
      this.o.log(`the replication slot ${names.slot} was left on ${where} (${message}); drop it there: SELECT pg_drop_replication_slot('${names.slot}');`);
    }
  }

  private inactiveStatus(flowId: string, nodeId: string): TriggerStatus {
    const names = this.names(flowId, nodeId);
    return { flowId, nodeId, ...names, state: 'inactive', message: null, attempt: 0, nextRetryAt: null, confirmedLsn: null, changes: 0, health: null, backfill: null };
  }
}

const StoredSettings = z.object({
  host: z.string(),
  port: z.number(),
  database: z.string(),
  user: z.string(),
  password: z.string(),
  connectionString: z.string(),
  tls: z.enum(['disable', 'require', 'verify-full']),
});

/** Where a slot lives, as stored: the resolved connection settings with secret references (never values). */
function slotSettingsJson(c: PgConnectionSettings): string {
  return JSON.stringify({ host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, connectionString: c.connectionString, tls: c.tls });
}

export const PAUSED_MESSAGE = 'Paused: the replication slot keeps every change made meanwhile; Resume processes them.';

function newBackfill(cfg: PostgresChangeConfig): BackfillState {
  return { id: newId('bf'), tables: parseTableList(cfg.tables).map((t) => ({ ...t, cursor: null, done: false, rows: 0, estimate: 0 })) };
}
