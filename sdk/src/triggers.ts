/**
 * In-app message triggers evaluated on the device, as the server's matchesTrigger does
 * (src/campaigns/triggers.ts): session start, a custom event with property filters, a purchase
 * of any or one product. Regex filters use the browser's RegExp, case-insensitive.
 */

import type { Json, TriggerEvent } from './core';

export interface PropertyFilter {
  property_name: string;
  comparison: string;
  value?: Json;
}

export type Trigger =
  | { type: 'session_start' }
  | { type: 'custom_event'; event_name: string; property_filters?: PropertyFilter[] }
  | { type: 'purchase'; product_id?: string; property_filters?: PropertyFilter[] };

function lookup(properties: Record<string, Json>, path: string): Json | undefined {
  if (Object.hasOwn(properties, path)) return properties[path];
  let v: Json | undefined = properties;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) {
      return undefined;
    }
    v = v[key];
  }
  return v;
}

function regex(v: Json | undefined, pattern: Json | undefined): boolean {
  try {
    return typeof v === 'string' && new RegExp(String(pattern), 'i').test(v);
  } catch {
    return false;
  }
}

/** Whether event properties satisfy one property filter. */
export function matchesProperty(f: PropertyFilter, properties: Record<string, Json>): boolean {
  const v = lookup(properties, f.property_name);
  const x = f.value;
  const n = typeof v === 'number' && typeof x === 'number';
  const listed = Array.isArray(x) && (typeof v === 'string' || typeof v === 'number');
  const time = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  switch (f.comparison) {
    case 'exists':
      return v !== undefined && v !== null;
    case 'does_not_exist':
      return v === undefined || v === null;
    case 'is_true':
      return v === true;
    case 'is_false':
      return v === false;
    case 'equals':
      return v === x;
    case 'not_equal':
      return v !== x;
    case 'greater_than':
      return n && v > x;
    case 'greater_than_or_equal_to':
      return n && v >= x;
    case 'less_than':
      return n && v < x;
    case 'less_than_or_equal_to':
      return n && v <= x;
    case 'matches_regex':
      return regex(v, x);
    case 'does_not_match_regex':
      return !regex(v, x);
    case 'is_any_of':
      return listed && x.includes(v);
    case 'is_none_of':
      return !(listed && x.includes(v));
    case 'before':
      return time < Date.parse(String(x));
    case 'after':
      return time > Date.parse(String(x));
    default:
      return false;
  }
}

/** Whether a logged event fires a trigger. */
export function matchesTrigger(t: Trigger, e: TriggerEvent): boolean {
  if (t.type !== e.type) return false;
  if (e.type === 'session_start') return true;
  if (t.type === 'custom_event' && e.type === 'custom_event' && t.event_name !== e.name) {
    return false;
  }
  if (t.type === 'purchase' && e.type === 'purchase' && t.product_id !== undefined) {
    if (t.product_id !== e.product_id) return false;
  }
  const filters = 'property_filters' in t ? (t.property_filters ?? []) : [];
  return filters.every((f) => matchesProperty(f, e.properties));
}
