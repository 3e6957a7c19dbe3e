import { ApiError } from '../http/errors';
import { getSegment, type Segment } from './store';

/** A one-line, human-readable summary of a filter tree (Braze's generated `description`). */
export function describeFilter(node: unknown): string {
  if (!node || typeof node !== 'object') return String(node);
  const [key, value] = Object.entries(node)[0] ?? ['', null];
  if ((key === 'AND' || key === 'OR') && Array.isArray(value)) {
    return value.map((v) => `(${describeFilter(v)})`).join(` ${key} `);
  }
  if (key === 'NOT') return `NOT (${describeFilter(value)})`;
  const parts = Object.entries((value ?? {}) as Record<string, unknown>).map(
    ([k, v]) => `${k}=${JSON.stringify(v)}`,
  );
  return `${key} ${parts.join(' ')}`;
}

/** A segment as the management API shows it. */
export function segmentOut(s: Segment) {
  return {
    id: s.id,
    name: s.name,
    text_description: s.textDescription,
    description: describeFilter(s.filter),
    tags: s.tags,
    filter: s.filter,
    analytics_tracking_enabled: s.analyticsTrackingEnabled,
    archived: s.archived,
    created_at: new Date(s.createdAt).toISOString(),
    updated_at: new Date(s.updatedAt).toISOString(),
  };
}

/** The segment, or a 404 in Braze's envelope. */
export async function mustGet(db: D1Database, workspaceId: string, id: string): Promise<Segment> {
  const segment = await getSegment(db, workspaceId, id);
  if (!segment) throw new ApiError(404, `Segment ${id} not found`);
  return segment;
}
