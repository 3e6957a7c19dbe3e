import { evaluateFilter } from '../segments/evaluate';
import type { SegmentFilter } from '../segments/filters';
import type { ProfileStore } from './profile-store';
import { lazySummary } from './summary';

/** A live segment definition as a profile evaluates it. */
export interface SegmentDefinition {
  id: string;
  filter: SegmentFilter;
}

/** The segments this profile is in, with entry times. */
export function currentMemberships(
  store: ProfileStore,
): { segment_id: string; entered_at: number }[] {
  return store.sql
    .exec<{ segment_id: string; entered_at: number }>(
      'SELECT segment_id, entered_at FROM segment_membership ORDER BY segment_id',
    )
    .toArray();
}

/**
 * Re-evaluate every live segment against this profile and record entries and exits, each as a
 * change record (action-based campaigns trigger on them). Segments that no longer exist count as
 * exits. Returns the changes made.
 */
export function refreshMemberships(
  store: ProfileStore,
  input: { definitions: SegmentDefinition[]; now: number },
): { entered: string[]; exited: string[] } {
  const before = new Set(currentMemberships(store).map((m) => m.segment_id));
  if (input.definitions.length === 0 && before.size === 0) return { entered: [], exited: [] };
  const summary = lazySummary(store, input.now);
  const byId = new Map(input.definitions.map((d) => [d.id, d.filter]));
  const ctx = { now: input.now, segment: (id: string) => byId.get(id) ?? null };
  const after = new Set(
    input.definitions.filter((d) => evaluateFilter(d.filter, summary, ctx)).map((d) => d.id),
  );
  const entered = [...after].filter((id) => !before.has(id));
  const exited = [...before].filter((id) => !after.has(id));
  if (entered.length === 0 && exited.length === 0) return { entered, exited };
  store.transact(() => {
    for (const id of entered) {
      store.sql.exec(
        'INSERT INTO segment_membership (segment_id, entered_at) VALUES (?, ?)',
        id,
        input.now,
      );
      store.emit({ type: 'segment.entered', time: input.now, segment_id: id });
    }
    for (const id of exited) {
      store.sql.exec('DELETE FROM segment_membership WHERE segment_id = ?', id);
      store.emit({ type: 'segment.exited', time: input.now, segment_id: id });
    }
  });
  return { entered, exited };
}
