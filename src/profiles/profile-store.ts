import type { ChangeRecordDraft } from '../changes/records';
import type { Identifier, Json } from '../ingestion/types';
import type { StoredAttr } from './attribute-ops';
import { ACTIVITY_TABLES, migrateProfileSchema } from './schema';

/** Lifecycle of a profile object. `merged` and `deleted` objects are tombstones. */
export type ProfileState = 'active' | 'merged' | 'deleted';

export interface ProfileMeta {
  workspaceId: string;
  profileId: string;
  state: ProfileState;
  mergedInto: string | null;
  createdAt: number;
  updatedAt: number;
  /** 0..9999, fixed at creation, for random-bucket segmentation and sampling. */
  randomBucket: number;
  /** Last change-record sequence number issued. */
  seq: number;
}

export interface IdentitySnapshot {
  externalId: string | null;
  deprecatedExternalIds: string[];
  aliases: { label: string; name: string }[];
  email: string | null;
  phone: string | null;
}

/** An update the identifier directory must receive, written to the outbox with the change. */
export type IndexOp =
  | { op: 'link' | 'unlink'; kind: 'email' | 'phone' | 'push_token'; value: string }
  | { op: 'release'; kind: 'external_id' | 'user_alias'; value: string };

/** Thrown inside a transaction to roll back one object and report why. */
export class Rejection extends Error {}

const ALIAS_SEP = '\u0000';

/** The directory key of an alias: label and name joined by a separator neither may contain. */
export function aliasKey(label: string, name: string): string {
  return `${label}${ALIAS_SEP}${name}`;
}

function splitAlias(key: string): { label: string; name: string } {
  const at = key.indexOf(ALIAS_SEP);
  return { label: key.slice(0, at), name: key.slice(at + 1) };
}

/**
 * One profile's storage: metadata, identifiers, attributes and the outbox, on the object's own
 * SQLite database. Callers run mutating methods inside `transact` so a change and the records it
 * emits commit together.
 */
export class ProfileStore {
  readonly sql: SqlStorage;
  readonly transact: <T>(fn: () => T) => T;
  meta: ProfileMeta | null;
  /** Raw-event inserts since the last retention prune (see activity.ts). */
  rawInserts = 0;

  constructor(sql: SqlStorage, transact: <T>(fn: () => T) => T) {
    this.sql = sql;
    this.transact = transact;
    migrateProfileSchema(sql);
    this.meta = null;
    this.reload();
  }

  /** Re-read the metadata from SQLite (after a transaction that rolled back). */
  reload(): void {
    const row = this.sql
      .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'profile'`)
      .toArray()[0];
    this.meta = row ? (JSON.parse(row.value) as ProfileMeta) : null;
  }

  /** The live metadata; throws when the profile was never created (a caller bug). */
  get live(): ProfileMeta {
    if (!this.meta) throw new Error('profile not initialised');
    return this.meta;
  }

  saveMeta(): void {
    this.sql.exec(
      `INSERT INTO meta (key, value) VALUES ('profile', ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      JSON.stringify(this.meta),
    );
  }

  /** Create the profile. Idempotent: an existing profile is left as it is. */
  create(input: { workspaceId: string; profileId: string; now: number }): boolean {
    if (this.meta) return false;
    this.meta = {
      workspaceId: input.workspaceId,
      profileId: input.profileId,
      state: 'active',
      mergedInto: null,
      createdAt: input.now,
      updatedAt: input.now,
      randomBucket: crypto.getRandomValues(new Uint32Array(1))[0]! % 10_000,
      seq: 0,
    };
    this.saveMeta();
    return true;
  }

  touch(now: number): void {
    this.live.updatedAt = Math.max(this.live.updatedAt, now);
    this.saveMeta();
  }

  /** Append a change record to the outbox, numbered in sequence. */
  emit(draft: ChangeRecordDraft): void {
    const meta = this.live;
    meta.seq++;
    const record = { ...draft, id: crypto.randomUUID(), seq: meta.seq };
    this.sql.exec(
      `INSERT INTO outbox (target, body) VALUES ('changes', ?)`,
      JSON.stringify(record),
    );
    this.saveMeta();
  }

  /** Append an identifier-directory update to the outbox. */
  emitIndexOp(op: IndexOp): void {
    this.sql.exec(`INSERT INTO outbox (target, body) VALUES ('index', ?)`, JSON.stringify(op));
  }

  // ---- identifiers ----

  identity(): IdentitySnapshot {
    const rows = this.sql
      .exec<{ kind: string; value: string; status: string }>(
        'SELECT kind, value, status FROM identifiers ORDER BY added_at, value',
      )
      .toArray();
    const email = this.getAttr('email', false)?.value;
    const phone = this.getAttr('phone', false)?.value;
    return {
      externalId:
        rows.find((r) => r.kind === 'external_id' && r.status === 'primary')?.value ?? null,
      deprecatedExternalIds: rows
        .filter((r) => r.kind === 'external_id' && r.status === 'deprecated')
        .map((r) => r.value),
      aliases: rows.filter((r) => r.kind === 'user_alias').map((r) => splitAlias(r.value)),
      email: typeof email === 'string' ? email : null,
      phone: typeof phone === 'string' ? phone : null,
    };
  }

  /** The identifiers in change-record form. */
  identifierSnapshot(): {
    external_id: string | null;
    braze_id: string;
    user_aliases: { alias_name: string; alias_label: string }[];
  } {
    const id = this.identity();
    return {
      external_id: id.externalId,
      braze_id: this.live.profileId,
      user_aliases: id.aliases.map((a) => ({ alias_name: a.name, alias_label: a.label })),
    };
  }

  /** True when this profile is the one `identifier` names. */
  owns(identifier: Identifier): boolean {
    switch (identifier.kind) {
      case 'braze_id':
        return identifier.value === this.live.profileId;
      case 'external_id':
        return this.hasIdentifier('external_id', identifier.value);
      case 'user_alias':
        return this.hasIdentifier('user_alias', aliasKey(identifier.label, identifier.name));
      case 'email':
      case 'phone':
        return this.getAttr(identifier.kind, false)?.value === identifier.value;
    }
  }

  hasIdentifier(kind: string, value: string): boolean {
    return (
      this.sql.exec('SELECT 1 FROM identifiers WHERE kind = ? AND value = ?', kind, value).toArray()
        .length > 0
    );
  }

  addIdentifier(kind: 'external_id' | 'user_alias', value: string, now: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO identifiers (kind, value, status, added_at) VALUES (?, ?, 'primary', ?)`,
      kind,
      value,
      now,
    );
  }

  /** The alias this profile holds under `label`, if any (one name per label). */
  aliasWithLabel(label: string): string | null {
    return this.identity().aliases.find((a) => a.label === label)?.name ?? null;
  }

  // ---- attributes ----

  getAttr(key: string, custom: boolean): StoredAttr | undefined {
    const row = this.sql
      .exec<{ type: string; value: string }>(
        'SELECT type, value FROM attributes WHERE custom = ? AND key = ?',
        custom ? 1 : 0,
        key,
      )
      .toArray()[0];
    return row ? { type: row.type as StoredAttr['type'], value: JSON.parse(row.value) } : undefined;
  }

  /** Write or remove one attribute; returns the previous value (null when there was none). */
  putAttr(input: { key: string; custom: boolean; attr: StoredAttr | null; now: number }): Json {
    const previous = this.getAttr(input.key, input.custom)?.value ?? null;
    if (input.attr === null) {
      this.sql.exec(
        'DELETE FROM attributes WHERE custom = ? AND key = ?',
        input.custom ? 1 : 0,
        input.key,
      );
    } else {
      this.sql.exec(
        `INSERT INTO attributes (key, custom, type, value, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(custom, key) DO UPDATE SET type = excluded.type, value = excluded.value,
           updated_at = excluded.updated_at`,
        input.key,
        input.custom ? 1 : 0,
        input.attr.type,
        JSON.stringify(input.attr.value),
        input.now,
      );
    }
    return previous;
  }

  /** Every attribute of one kind, key to value. */
  allAttrs(custom: boolean): Map<string, StoredAttr> {
    const out = new Map<string, StoredAttr>();
    for (const row of this.sql
      .exec<{ key: string; type: string; value: string }>(
        'SELECT key, type, value FROM attributes WHERE custom = ? ORDER BY key',
        custom ? 1 : 0,
      )
      .toArray()) {
      out.set(row.key, { type: row.type as StoredAttr['type'], value: JSON.parse(row.value) });
    }
    return out;
  }

  /** Pending outbox rows, oldest first. */
  pendingOutbox(limit: number): { seq: number; target: string; body: string }[] {
    return this.sql
      .exec<{ seq: number; target: string; body: string }>(
        'SELECT seq, target, body FROM outbox ORDER BY seq LIMIT ?',
        limit,
      )
      .toArray();
  }

  /** Drop outbox rows up to and including `seq`, once delivered. */
  ackOutbox(seq: number): void {
    this.sql.exec('DELETE FROM outbox WHERE seq <= ?', seq);
  }

  /** True when identifier-directory updates are waiting: callers must see them at once. */
  hasDirectoryUpdates(): boolean {
    return (
      this.sql.exec(`SELECT 1 FROM outbox WHERE target = 'index' LIMIT 1`).toArray().length > 0
    );
  }

  /** True when records or directory updates are waiting to be delivered. */
  hasOutbox(): boolean {
    return this.sql.exec('SELECT 1 FROM outbox LIMIT 1').toArray().length > 0;
  }

  /** Wipe every table but the outbox and meta: used by delete and after a merge. */
  wipe(): void {
    for (const table of [
      'identifiers',
      'attributes',
      ...ACTIVITY_TABLES,
      'merged_from',
      'segment_membership',
      'sends',
      'message_engagement',
      'channel_received',
      'content_cards',
      'in_app_messages',
    ]) {
      this.sql.exec(`DELETE FROM ${table}`);
    }
  }
}
