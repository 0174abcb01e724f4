/** Palette search and grouping, kept pure so it is tested without a DOM. */
import type { AnyNodeDefinition, NodeCategory } from '../../shared/node-kit';

export interface PaletteGroup {
  category: NodeCategory;
  items: AnyNodeDefinition[];
}

/** Every word of the query must appear in the title, type, description or category. */
export function groupForPalette(defs: readonly AnyNodeDefinition[], query: string, order: readonly NodeCategory[]): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (d: AnyNodeDefinition) => {
    const text = `${d.title} ${d.type} ${d.description} ${d.category}`.toLowerCase();
    return words.every((w) => text.includes(w));
  };
  return order
    .map((category) => ({
      category,
      items: defs.filter((d) => d.category === category && matches(d)).sort((a, b) => a.title.localeCompare(b.title)),
    }))
    .filter((g) => g.items.length > 0);
}
