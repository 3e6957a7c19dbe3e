/**
 * One shard of the identifier directory: (kind, value) → profile id(s). external_id and
 * user_alias entries are unique per workspace; email and phone may name several profiles.
 * push_token (`app_id` NUL token) names every profile that registered the token, the last
 * registration last: the token belongs to that one (src/profiles/push-devices.ts).
 * Runs inside the IdentityIndex object, over its SQLite database.
 */

export type DirectoryKind = 'external_id' | 'user_alias' | 'email' | 'phone' | 'push_token';

export interface DirectoryEntry {
  profileId: string;
  status: 'primary' | 'deprecated';
}

/** A directory update; `profileId` is the profile asking, so stale updates cannot clobber. */
export type DirectoryOp =
  | {
      op: 'link' | 'unlink';
      kind: 'email' | 'phone' | 'push_token';
      value: string;
      profileId: string;
    }
  | { op: 'release'; kind: 'external_id' | 'user_alias'; value: string; profileId: string }
  | {
      op: 'repoint';
      kind: 'external_id' | 'user_alias';
      value: string;
      profileId: string;
      to: string;
    }
  | { op: 'deprecate'; kind: 'external_id'; value: string; profileId: string };

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, value TEXT NOT NULL,
     profile_id TEXT NOT NULL, status TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (kind, value, profile_id))`,
];

export class DirectoryStore {
  constructor(private readonly sql: SqlStorage) {
    for (const ddl of SCHEMA) sql.exec(ddl);
  }

  /** Entries for each (kind, value), keyed `${kind}:${value}`. */
  lookup(keys: { kind: DirectoryKind; value: string }[]): Record<string, DirectoryEntry[]> {
    const out: Record<string, DirectoryEntry[]> = {};
    for (const k of keys) {
      out[`${k.kind}:${k.value}`] = this.sql
        .exec<{ profile_id: string; status: string }>(
          'SELECT profile_id, status FROM entries WHERE kind = ? AND value = ? ORDER BY updated_at',
          k.kind,
          k.value,
        )
        .toArray()
        .map((r) => ({ profileId: r.profile_id, status: r.status as DirectoryEntry['status'] }));
    }
    return out;
  }

  /**
   * Claim a unique identifier for a profile. The first claim wins; later claims get the winner.
   * Returns the owning profile id.
   */
  claim(input: {
    kind: 'external_id' | 'user_alias';
    value: string;
    profileId: string;
    now: number;
  }): {
    profileId: string;
    claimed: boolean;
  } {
    const existing = this.sql
      .exec<{ profile_id: string }>(
        'SELECT profile_id FROM entries WHERE kind = ? AND value = ? LIMIT 1',
        input.kind,
        input.value,
      )
      .toArray()[0];
    if (existing)
      return { profileId: existing.profile_id, claimed: existing.profile_id === input.profileId };
    this.sql.exec(
      `INSERT INTO entries (kind, value, profile_id, status, updated_at) VALUES (?, ?, ?, 'primary', ?)`,
      input.kind,
      input.value,
      input.profileId,
      input.now,
    );
    return { profileId: input.profileId, claimed: true };
  }

  /** Apply directory updates in order. Each is idempotent. */
  apply(ops: DirectoryOp[], now: number): void {
    for (const op of ops) {
      switch (op.op) {
        case 'link':
          this.sql.exec(
            `INSERT INTO entries (kind, value, profile_id, status, updated_at) VALUES (?, ?, ?, 'primary', ?)
             ON CONFLICT(kind, value, profile_id) DO UPDATE SET updated_at = excluded.updated_at`,
            op.kind,
            op.value,
            op.profileId,
            now,
          );
          break;
        case 'unlink':
        case 'release':
          this.sql.exec(
            'DELETE FROM entries WHERE kind = ? AND value = ? AND profile_id = ?',
            op.kind,
            op.value,
            op.profileId,
          );
          break;
        case 'repoint':
          this.sql.exec(
            `UPDATE entries SET profile_id = ?, updated_at = ? WHERE kind = ? AND value = ? AND profile_id = ?`,
            op.to,
            now,
            op.kind,
            op.value,
            op.profileId,
          );
          break;
        case 'deprecate':
          this.sql.exec(
            `UPDATE entries SET status = 'deprecated', updated_at = ? WHERE kind = ? AND value = ? AND profile_id = ?`,
            now,
            op.kind,
            op.value,
            op.profileId,
          );
          break;
      }
    }
  }
}

/** What an IdentityIndex shard answers over RPC, as callers see it. */
export interface DirectoryApi {
  lookup(keys: { kind: DirectoryKind; value: string }[]): Promise<Record<string, DirectoryEntry[]>>;
  claim(input: {
    kind: 'external_id' | 'user_alias';
    value: string;
    profileId: string;
  }): Promise<{ profileId: string; claimed: boolean }>;
  apply(ops: DirectoryOp[]): Promise<void>;
}
