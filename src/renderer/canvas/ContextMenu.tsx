/** The right-click menu of the canvas: entries from `menuItems`, closed by Esc, a click outside, or picking one. */
import { useEffect, useRef } from 'react';
import { menuItems, type MenuTarget } from './context-menu';

export interface OpenMenu {
  target: MenuTarget;
  /** Position inside the canvas element, in pixels. */
  x: number;
  y: number;
}

export function ContextMenu({ menu, onClose }: { menu: OpenMenu; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('mousedown', away, true);
    window.addEventListener('keydown', esc, true);
    ref.current?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    return () => {
      window.removeEventListener('mousedown', away, true);
      window.removeEventListener('keydown', esc, true);
    };
  }, [onClose]);
  return (
    <div ref={ref} className="context-menu" role="menu" style={{ left: menu.x, top: menu.y }} data-testid="context-menu" data-target={menu.target.kind}>
      {menuItems(menu.target).map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          className={`context-menu__item${item.danger ? ' context-menu__item--danger' : ''}`}
          disabled={item.disabledReason !== undefined}
          title={item.disabledReason}
          data-testid={`menu-${item.id}`}
          onClick={() => {
            onClose();
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
