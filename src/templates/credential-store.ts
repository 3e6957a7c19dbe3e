import { and, asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { connectedContentCredentials as creds } from '../db/personalization';
import type { Credential } from '../personalization/sources';

/** How `:basic_auth name` can name a credential: one Liquid word. */
export const CREDENTIAL_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** A stored credential as listed: never its secret. */
export interface CredentialListing {
  name: string;
  createdAt: number;
}

/** The credential with this name, with its password, for renders only. */
export async function getCredential(
  db: D1Database,
  workspaceId: string,
  name: string,
): Promise<Credential | null> {
  const row = await drizzle(db)
    .select({ username: creds.username, password: creds.password })
    .from(creds)
    .where(and(eq(creds.workspaceId, workspaceId), eq(creds.name, name)))
    .get();
  return row ?? null;
}

/** Create or replace a credential; `created` is false when one was replaced. */
export async function putCredential(
  db: D1Database,
  input: { workspaceId: string; name: string; credential: Credential; now: number },
): Promise<{ created: boolean }> {
  const { username, password } = input.credential;
  // Only the answer's status depends on this read; the upsert itself is atomic.
  const existed = (await getCredential(db, input.workspaceId, input.name)) !== null;
  await drizzle(db)
    .insert(creds)
    .values({
      workspaceId: input.workspaceId,
      name: input.name,
      username,
      password,
      createdAt: input.now,
    })
    .onConflictDoUpdate({ target: [creds.workspaceId, creds.name], set: { username, password } })
    .run();
  return { created: !existed };
}

/** Delete a credential; false when there was none. */
export async function deleteCredential(
  db: D1Database,
  workspaceId: string,
  name: string,
): Promise<boolean> {
  const res = await drizzle(db)
    .delete(creds)
    .where(and(eq(creds.workspaceId, workspaceId), eq(creds.name, name)))
    .run();
  return res.meta.changes > 0;
}

/** A workspace's credential names, alphabetically. */
export async function listCredentials(
  db: D1Database,
  workspaceId: string,
): Promise<CredentialListing[]> {
  return drizzle(db)
    .select({ name: creds.name, createdAt: creds.createdAt })
    .from(creds)
    .where(eq(creds.workspaceId, workspaceId))
    .orderBy(asc(creds.name))
    .all();
}
