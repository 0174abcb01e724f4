/** One node on the canvas: category colour, name and type, summary line, typed ports, run status. */
import { memo, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { nodeRegistry } from '../../nodes';
import type { AnyNodeDefinition, PortMap } from '../../shared/node-kit';
import type { FlowNode } from '../../shared/flow/schema';
import { useEditor } from '../stores/editor-store';
import { useRuns } from '../stores/run-store';
import { useSession } from '../stores/session-store';
import { Icon } from '../ui/icons';
import { CATEGORY_LOOK, shownNodeStatus } from './node-look';
import { isActive } from '../runs/run-status';
import { NodeStatusBadge, NodeWaitLine } from './NodeStatusBadge';
import type { CanvasNode } from './rf-mapping';
import { nodeExtension } from '../node-extensions';
import { TriggerChip } from '../triggers/TriggerChip';
import { NodeTraceExtras } from './NodeTraceExtras';

function summaryOf(def: AnyNodeDefinition, node: FlowNode): string {
  if (!def.summary) return '';
  const parsed = def.config.safeParse(node.config);
  if (!parsed.success) return '';
  try {
    return def.summary(parsed.data);
  } catch {
    return '';
  }
}

function Ports({ ports, side }: { ports: PortMap; side: 'in' | 'out' }) {
  const entries = Object.entries(ports);
  if (entries.length === 0) return <div className="mr-node__ports-col" />;
  return (
    <div className={`mr-node__ports-col mr-node__ports-col--${side}`}>
      {entries.map(([name, spec]) => (
        <div className={`mr-port mr-port--${side}`} key={name} title={`${spec.label ?? name}: ${spec.type}`}>
          <Handle
            type={side === 'in' ? 'target' : 'source'}
            position={side === 'in' ? Position.Left : Position.Right}
            id={name}
            className={`mr-handle mr-handle--${spec.type}`}
            data-testid={`handle-${side}-${name}`}
          />
          <span className="mr-port__label">{spec.label ?? name}</span>
          <span className="mr-port__type">{spec.type}</span>
        </div>
      ))}
    </div>
  );
}

function FlowNodeViewInner({ id, data, selected }: NodeProps<CanvasNode>) {
  const node = data.node;
  const def = nodeRegistry.get(node.type);
  const problems = useEditor((s) => s.problemsByNode[id]);
  const highlight = useSession((s) => s.highlightProblems);
  const trace = useRuns((s) => (s.selectedRunId ? s.traces[s.selectedRunId]?.nodes[id] : undefined));
  const runStatus = useRuns((s) => (s.selectedRunId ? s.traces[s.selectedRunId]?.run.status : undefined));
  // A parked run has not finished: nodes it has not reached yet are still to come, not "not run".
  const runOver = runStatus !== undefined && !isActive(runStatus);
  const summary = useMemo(() => (def ? summaryOf(def, node) : ''), [def, node]);
  const flowId = useEditor((s) => s.flow?.id ?? '');

  if (!def) {
    return (
      <div className="mr-node mr-node--unknown" data-testid={`node-${id}`} data-node-type={node.type}>
        <div className="mr-node__header">
          <span className="mr-node__icon">
            <Icon name="alert" />
          </span>
          <div className="mr-node__titles">
            <div className="mr-node__name">{node.name}</div>
            <div className="mr-node__type">Unknown type {node.type}</div>
          </div>
        </div>
      </div>
    );
  }

  const status = trace ? shownNodeStatus(trace.status, runStatus) : undefined;
  // Disabled (context menu): greyed, and runs pass its input through (runner.ts); ignored on triggers.
  const disabled = node.settings?.disabled === true && def.trigger !== true;
  const classes = [
    'mr-node',
    `cat-${def.category}`,
    selected ? 'is-selected' : '',
    status ? `status-${status}` : runOver ? 'status-not-run' : '',
    problems ? 'has-problems' : '',
    problems && highlight ? 'is-highlighted' : '',
    disabled ? 'is-disabled' : '',
  ];
  const problemText = problems?.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n');
  const Extras = nodeExtension(node.type)?.canvas;

  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-testid={`node-${id}`}
      data-node-type={node.type}
      data-problems={problems?.length ?? 0}
      data-disabled={disabled ? 'true' : undefined}
    >
      {trace && status && status !== 'pending' ? <NodeStatusBadge trace={trace} shown={status} maxAttempts={node.settings?.retry?.maxAttempts} /> : null}
      <div className="mr-node__header">
        <span className="mr-node__icon">
          <Icon name={CATEGORY_LOOK[def.category].icon} />
        </span>
        <div className="mr-node__titles">
          <div className="mr-node__name" title={node.name}>
            {node.name}
          </div>
          <div className="mr-node__type">
            {def.title}
            {disabled ? (
              <span className="mr-node__disabled" title="Disabled: runs pass its input through unchanged">
                {' '}
                · disabled
              </span>
            ) : null}
          </div>
        </div>
      </div>
      {summary ? (
        <div className="mr-node__summary" title={summary}>
          {summary}
        </div>
      ) : null}
      {def.type === 'postgres-change' ? <TriggerChip flowId={flowId} nodeId={id} /> : null}
      <div className="mr-node__ports">
        <Ports ports={def.inputs} side="in" />
        <Ports ports={def.outputs} side="out" />
      </div>
      {Extras ? <Extras nodeId={id} /> : null}
      <NodeTraceExtras nodeId={id} nodeType={node.type} />
      {problems ? (
        <div className="mr-node__problem" title={problemText}>
          <Icon name="alert" size={13} />
          {problems.length === 1 ? (problems[0]?.message ?? '') : `${problems.length} problems`}
        </div>
      ) : null}
      {status === 'waiting' && trace?.waiting ? <NodeWaitLine trace={trace} waiting={trace.waiting} maxAttempts={node.settings?.retry?.maxAttempts} /> : null}
      {status === 'failed' && trace?.error ? (
        <div className="mr-node__error" title={trace.error.message}>
          {trace.error.message}
        </div>
      ) : null}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewInner);
