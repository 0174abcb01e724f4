/**
 * The live demo workspace: starts the demo database (demo-postgres.ts), seeds it
 * (support-tickets.ts), keeps its connection string in the secret the bundled flow refers to,
 * restores the bundled "Support ticket triage" flow, activates its change trigger, and runs the
 * traffic generator. Off unless the engine is started with `demo: true` (`millrace serve`,
 * `npm start`); tests opt in.
 */
import { DEMO_FLOW_ID, type DemoStatus } from '../../shared/demo';

export function disabledDemoStatus(): DemoStatus {
  return { enabled: false, flowId: DEMO_FLOW_ID, database: { state: 'off' }, tickets: { total: 0, triaged: 0 }, traffic: { running: false, ratePerSecond: 0, inserted: 0 } };
}
