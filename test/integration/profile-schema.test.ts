import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { migrateProfileSchema, SCHEMA_VERSION } from '../../src/profiles/schema';

/**
 * A new profile object gets the schema in one script (freshSchema in src/profiles/schema.ts); an
 * existing one climbs the shipped steps. Both must leave exactly the same database.
 */

type SchemaRow = {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
};

/** Every table and index the profile defines, SQL with whitespace collapsed, in name order. */
function dump(sql: SqlStorage): SchemaRow[] {
  return sql
    .exec<SchemaRow>(
      `SELECT type, name, tbl_name, sql FROM sqlite_master
       WHERE name NOT LIKE '_cf_%' ORDER BY type, name`,
    )
    .toArray()
    .map((r) => ({ ...r, sql: r.sql === null ? null : r.sql.replace(/\s+/g, ' ') }));
}

function version(sql: SqlStorage): number | undefined {
  return sql.exec<{ version: number }>('SELECT version FROM _schema').toArray()[0]?.version;
}

/** Drop everything the profile schema made, leaving an empty database. */
function wipe(sql: SqlStorage): void {
  for (const { name } of sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'`,
    )
    .toArray()) {
    sql.exec(`DROP TABLE "${name}"`);
  }
}

function freshProfile() {
  const id = env.USER_PROFILE.idFromName(`profile:schema-test:${crypto.randomUUID()}`);
  return env.USER_PROFILE.get(id);
}

describe('profile schema', () => {
  it('a new profile gets in one script what the shipped steps build one by one', async () => {
    await runInDurableObject(freshProfile(), (_instance, state: DurableObjectState) => {
      const sql = state.storage.sql;
      // The object's constructor created this one the fresh way.
      const fresh = dump(sql);
      expect(version(sql)).toBe(SCHEMA_VERSION);
      expect(fresh.map((r) => r.name)).toContain('ingest_marks');

      wipe(sql);
      migrateProfileSchema(sql, 'steps');
      expect(version(sql)).toBe(SCHEMA_VERSION);
      const stepped = dump(sql);
      for (let i = 0; i < Math.max(fresh.length, stepped.length); i++) {
        expect(fresh[i], `schema object ${stepped[i]?.name ?? fresh[i]?.name}`).toEqual(stepped[i]);
      }
      expect(fresh).toHaveLength(stepped.length);
    });
  });

  it('a database already at the current version is left alone, and an empty one is built fresh', async () => {
    await runInDurableObject(freshProfile(), (_instance, state: DurableObjectState) => {
      const sql = state.storage.sql;
      const before = dump(sql);
      migrateProfileSchema(sql);
      expect(dump(sql)).toEqual(before);

      wipe(sql);
      migrateProfileSchema(sql);
      expect(version(sql)).toBe(SCHEMA_VERSION);
      expect(dump(sql)).toEqual(before);
    });
  });
});
