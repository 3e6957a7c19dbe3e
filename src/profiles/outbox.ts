import type { ChangeBatch, ChangeRecord } from '../changes/records';
import type { DirectoryOp } from './directory-store';
import type { IndexOp, ProfileStore } from './profile-store';

/** Where outbox rows go: the change-record queue and the identifier directory. */
export interface OutboxSinks {
  sendChanges(batches: ChangeBatch[]): Promise<void>;
  applyDirectory(ops: DirectoryOp[]): Promise<void>;
}

/** Rows read per flush round. */
const ROUND = 500;
/** A queue message stays well under the 128 KB message limit. */
const MAX_MESSAGE_BYTES = 96 * 1024;

function toBatches(store: ProfileStore, records: ChangeRecord[]): ChangeBatch[] {
  const meta = store.live;
  const batches: ChangeBatch[] = [];
  let current: ChangeRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = JSON.stringify(r).length;
    if (current.length > 0 && bytes + size > MAX_MESSAGE_BYTES) {
      batches.push({
        v: 1,
        workspace_id: meta.workspaceId,
        profile_id: meta.profileId,
        records: current,
      });
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) {
    batches.push({
      v: 1,
      workspace_id: meta.workspaceId,
      profile_id: meta.profileId,
      records: current,
    });
  }
  return batches;
}

/** Change records waiting in the outbox, as batches, and the last outbox row they cover. */
export function pendingChanges(
  store: ProfileStore,
): { batches: ChangeBatch[]; upTo: number } | null {
  const rows = store.sql
    .exec<{ seq: number; body: string }>(
      `SELECT seq, body FROM outbox WHERE target = 'changes' ORDER BY seq LIMIT ?`,
      ROUND,
    )
    .toArray();
  if (rows.length === 0) return null;
  const records = rows.map((r) => JSON.parse(r.body) as ChangeRecord);
  const upTo = rows[rows.length - 1]!.seq;
  const batches = toBatches(store, records);
  batches[batches.length - 1]!.outbox_up_to = upTo;
  return { batches, upTo };
}

/** Forget change records someone else delivered (rows up to `upTo`). */
export function ackChanges(store: ProfileStore, upTo: number): void {
  store.sql.exec(`DELETE FROM outbox WHERE target = 'changes' AND seq <= ?`, upTo);
}

/**
 * Deliver everything in the outbox, oldest first, and delete what was delivered. A failure leaves
 * the rows for the next attempt, so delivery is at least once; records carry ids and sequence
 * numbers for consumers to de-duplicate.
 */
export async function flushOutbox(store: ProfileStore, sinks: OutboxSinks): Promise<void> {
  for (;;) {
    const rows = store.pendingOutbox(ROUND);
    if (rows.length === 0) return;
    const records: ChangeRecord[] = [];
    const ops: DirectoryOp[] = [];
    for (const row of rows) {
      if (row.target === 'changes') records.push(JSON.parse(row.body) as ChangeRecord);
      else ops.push({ ...(JSON.parse(row.body) as IndexOp), profileId: store.live.profileId });
    }
    // Directory first: a consumer reacting to a change may look the user up.
    if (ops.length > 0) await sinks.applyDirectory(ops);
    if (records.length > 0) await sinks.sendChanges(toBatches(store, records));
    store.ackOutbox(rows[rows.length - 1]!.seq);
  }
}
