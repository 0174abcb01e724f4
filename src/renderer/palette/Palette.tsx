/** The node palette, built from the registry: search, grouped by category, drag or click to add. */
import { useMemo, useState, type DragEvent } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { nodeRegistry } from '../../nodes';
import { typeRef, type AnyNodeDefinition } from '../../shared/node-kit';
import { editorStore } from '../stores/editor-store';
import { focusNode } from '../actions';
import { CATEGORY_LOOK, CATEGORY_ORDER } from '../canvas/node-look';
import { PALETTE_MIME } from '../canvas/Canvas';
import { Icon } from '../ui/icons';
import { groupForPalette } from './palette-groups';
import { insideView, placeNewNode } from './placement';
import { DEFAULT_NODE_SIZE } from '../canvas/layout';

export function Palette() {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupForPalette(nodeRegistry.latest(), query, CATEGORY_ORDER), [query]);
  const flowStore = useStoreApi();
  const { setCenter } = useReactFlow();

  /** Click-to-add lands right of the selected node (fed from its first output), or in the middle of the visible canvas. */
  const addByClick = (def: AnyNodeDefinition) => {
    const { width, height, transform } = flowStore.getState();
    const [tx, ty, zoom] = transform;
    const { flow, measured, selection, addNode } = editorStore.getState();
    if (!flow) return;
    const view = { x: -tx / zoom, y: -ty / zoom, width: width / zoom, height: height / zoom };
    const selected = selection.nodes.length === 1 ? selection.nodes[0] : undefined;
    const spot = placeNewNode(flow, measured, selected, view);
    const id = addNode(typeRef(def), spot, selected);
    if (!id) return;
    focusNode(id);
    // A crowded view may push the node outside it: bring it into sight rather than hide it.
    if (!insideView(view, spot)) void setCenter(spot.x + DEFAULT_NODE_SIZE.width / 2, spot.y + DEFAULT_NODE_SIZE.height / 2, { zoom, duration: 200 });
  };

  const onDragStart = (event: DragEvent, def: AnyNodeDefinition) => {
    event.dataTransfer.setData(PALETTE_MIME, typeRef(def));
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <div className="palette">
      <div className="panel-title">Nodes</div>
      <label className="search">
        <Icon name="search" size={14} />
        <input
          type="search"
          placeholder="Search nodes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="palette-search"
          aria-label="Search nodes"
        />
      </label>
      <div className="palette__groups">
        {groups.length === 0 ? <div className="muted palette__none">No node matches “{query}”.</div> : null}
        {groups.map((group) => (
          <section key={group.category} className="palette__group">
            <div className="palette__group-title">{CATEGORY_LOOK[group.category].label}</div>
            {group.items.map((def) => (
              <button
                type="button"
                key={def.type}
                className={`palette-item cat-${def.category}`}
                data-testid={`palette-item-${def.type}`}
                draggable
                onDragStart={(e) => onDragStart(e, def)}
                onClick={() => addByClick(def)}
                title={`${def.description}\nClick to add, or drag onto the canvas.`}
              >
                <span className="palette-item__icon">
                  <Icon name={CATEGORY_LOOK[def.category].icon} size={15} />
                </span>
                <span className="palette-item__text">
                  <span className="palette-item__title">{def.title}</span>
                  <span className="palette-item__desc">{def.description}</span>
                </span>
              </button>
            ))}
          </section>
        ))}
      </div>
    </div>
  );
}
