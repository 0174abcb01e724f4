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
import { CATEGORY_LOOK, STATUS_LABEL, formatDuration } from './node-look';
import type { CanvasNode } from './rf-mapping';
import { TriggerChip } from '../triggers/TriggerChip';

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
  const runOver = useRuns((s) => {
    const status = s.selectedRunId ? s.traces[s.selectedRunId]?.run.status : undefined;
    return status !== undefined && status !== 'running' && status !== 'queued';
  });
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

  const status = trace?.status;
  const classes = [
    'mr-node',
    `cat-${def.category}`,
    selected ? 'is-selected' : '',
    status ? `status-${status}` : runOver ? 'status-not-run' : '',
    problems ? 'has-problems' : '',
    problems && highlight ? 'is-highlighted' : '',
  ];
  const problemText = problems?.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n');

  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-testid={`node-${id}`}
      data-node-type={node.type}
      data-problems={problems?.length ?? 0}
    >
      {status && status !== 'pending' && (
        <span className={`mr-status mr-status--${status}`} data-testid="node-status" data-status={status} title={trace?.error?.message}>
          {status === 'running' ? <span className="mr-spinner" /> : null}
          {STATUS_LABEL[status]}
          {trace?.durationMs !== null && trace?.durationMs !== undefined && status !== 'running' ? (
            <span className="mr-status__time">{formatDuration(trace.durationMs)}</span>
          ) : null}
        </span>
      )}
      <div className="mr-node__header">
        <span className="mr-node__icon">
          <Icon name={CATEGORY_LOOK[def.category].icon} />
        </span>
        <div className="mr-node__titles">
          <div className="mr-node__name" title={node.name}>
            {node.name}
          </div>
          <div className="mr-node__type">{def.title}</div>
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
      {problems ? (
        <div className="mr-node__problem" title={problemText}>
          <Icon name="alert" size={13} />
          {problems.length === 1 ? (problems[0]?.message ?? '') : `${problems.length} problems`}
        </div>
      ) : null}
      {status === 'failed' && trace?.error ? (
        <div className="mr-node__error" title={trace.error.message}>
          {trace.error.message}
        </div>
      ) : null}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewInner);
