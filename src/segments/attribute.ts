import type { AttrType, Json } from '../ingestion/types';
import type { ProfileSummary } from './summary';

/**
 * How a custom attribute filter finds its value. A name that is a stored attribute is that
 * attribute; otherwise a dotted name is a path into an object attribute (`most_played_song.artist`),
 * whose leaf's kind comes from its JSON type. compile-sql.ts mirrors this resolution in SQL.
 */

/** The kind of a resolved value: a stored attribute's type, or a nested leaf's JSON type. */
export type ValueKind = AttrType;

/** A present (non-null) attribute value. */
export interface Resolved {
  kind: ValueKind;
  value: Json;
}

/** Own-property lookup, so names like `constructor` never reach the prototype. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kind a nested JSON leaf has (null for JSON null). */
export function jsonKind(v: Json): ValueKind | null {
  if (v === null) return null;
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return Array.isArray(v) ? 'array' : 'object';
}

/** Resolves an attribute name or dotted path; null when absent or null. */
export function resolveAttribute(custom: ProfileSummary['custom'], name: string): Resolved | null {
  const direct = own(custom, name);
  if (direct) return direct.value === null ? null : { kind: direct.type, value: direct.value };
  const [top, ...path] = name.split('.');
  if (path.length === 0 || top === undefined) return null;
  const root = own(custom, top);
  if (root?.type !== 'object') return null;
  let v: Json = root.value;
  for (const key of path) {
    if (!isObject(v) || !Object.hasOwn(v, key)) return null;
    v = v[key] as Json;
  }
  const kind = jsonKind(v);
  return kind ? { kind, value: v } : null;
}
