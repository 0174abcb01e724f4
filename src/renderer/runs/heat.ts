/** Heatmap colours: a node's metric against the flow's range, from cool (low) to hot (high). */
import type { NodeStats } from '../../shared/run-history';
import { heatValue, type HeatMetric } from '../stores/traces-store';

export interface HeatScale {
  min: number;
  max: number;
}

export function heatScale(stats: Record<string, NodeStats>, metric: HeatMetric): HeatScale | null {
  const values = Object.values(stats).map((s) => heatValue(s, metric)).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  // Error rate is absolute (0–100 %): 5 % errors on every node is still bad.
  if (metric === 'errors') return { min: 0, max: 1 };
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** 0 = cool, 1 = hot. */
export function heatLevel(value: number | null, scale: HeatScale | null): number | null {
  if (value === null || !scale) return null;
  if (scale.max === scale.min) return value > 0 ? 0.5 : 0;
  return Math.min(1, Math.max(0, (value - scale.min) / (scale.max - scale.min)));
}

/** Green → amber → red in HSL, as a CSS colour (transparent when there is no value). */
export function heatColor(value: number | null, scale: HeatScale | null): string {
  const level = heatLevel(value, scale);
  if (level === null) return 'transparent';
  return `hsl(${Math.round(130 - 130 * level)} 75% 50%)`;
}
