import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { currentsConnectors } from '../db/currents';
import { TtlCache } from '../templates/ttl-cache';
import { EVENT_TYPES, type EventType } from './catalog';

/**
 * Currents connectors in D1: one row per destination of a workspace's event stream. A storage
 * connector writes Avro files to the EXPORTS bucket; an HTTP connector posts JSON batches to a
 * partner's URL. The change handler reads the enabled ones through a short per-isolate cache.
 */

export const ConnectorKind = z.enum(['storage', 'http']);
export type ConnectorKind = z.infer<typeof ConnectorKind>;

export const FieldTransformation = z.strictObject({
  field: z.string().regex(/^[a-z_]+$/, 'field must be a Currents field name'),
  /** remove: the value becomes "[REDACTED]"; hash: the SHA-256 of the value, hex. */
  transformation: z.enum(['remove', 'hash'], { error: 'transformation must be remove or hash' }),
});
export type FieldTransformation = z.infer<typeof FieldTransformation>;

const EventTypeName = z.enum(EVENT_TYPES as [EventType, ...EventType[]], {
  error:
    'event_types must list Currents event types Herald exports (see GET /herald/currents/event_types)',
});

/** What the API answers and the flusher reads (JSON in `currents_connectors.config`). */
export const ConnectorConfig = z.object({
  event_types: z.array(EventTypeName).min(1),
  field_transformations: z.array(FieldTransformation).max(100),
  /** Buffer shards (the `<partition>` of object keys): more shards take more events a second. */
  shards: z.number().int().min(1).max(16),
  storage: z
    .object({
      /** The folder path in the EXPORTS bucket (Braze's default is `currents`). */
      prefix: z.string(),
      codec: z.enum(['null', 'deflate']),
    })
    .nullable(),
  http: z
    .object({
      url: z.string(),
      /** Events per POST (Braze's default is 100). */
      batch_size: z.number().int().min(1).max(1000),
    })
    .nullable(),
});
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

const ConnectorSecrets = z.object({
  bearer_token: z.string().optional(),
  signing_secret: z.string().optional(),
});
export type ConnectorSecrets = z.infer<typeof ConnectorSecrets>;

export interface Connector {
  workspaceId: string;
  id: string;
  name: string;
  kind: ConnectorKind;
  enabled: boolean;
  config: ConnectorConfig;
  secrets: ConnectorSecrets;
  createdAt: number;
  updatedAt: number;
}

function toConnector(row: typeof currentsConnectors.$inferSelect): Connector {
  return {
    workspaceId: row.workspaceId,
    id: row.id,
    name: row.name,
    kind: ConnectorKind.parse(row.kind),
    enabled: row.enabled,
    config: ConnectorConfig.parse(JSON.parse(row.config)),
    secrets: ConnectorSecrets.parse(JSON.parse(row.secrets)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Every connector of a workspace, oldest first. */
export async function listConnectors(db: D1Database, workspaceId: string): Promise<Connector[]> {
  const rows = await drizzle(db)
    .select()
    .from(currentsConnectors)
    .where(eq(currentsConnectors.workspaceId, workspaceId))
    .orderBy(currentsConnectors.createdAt, currentsConnectors.id)
    .all();
  return rows.map(toConnector);
}

/** One connector, or null. */
export async function getConnector(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<Connector | null> {
  const row = await drizzle(db)
    .select()
    .from(currentsConnectors)
    .where(and(eq(currentsConnectors.workspaceId, workspaceId), eq(currentsConnectors.id, id)))
    .get();
  return row ? toConnector(row) : null;
}

/** Insert or replace a connector (the routes validate it first). */
export async function saveConnector(db: D1Database, c: Connector): Promise<void> {
  const row = {
    workspaceId: c.workspaceId,
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    config: JSON.stringify(c.config),
    secrets: JSON.stringify(c.secrets),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
  await drizzle(db)
    .insert(currentsConnectors)
    .values(row)
    .onConflictDoUpdate({
      target: [currentsConnectors.workspaceId, currentsConnectors.id],
      set: row,
    });
  enabledCache.delete(c.workspaceId);
}

/** Delete a connector; answers whether it existed. Its buffers drop their events on next flush. */
export async function deleteConnector(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  const res = await drizzle(db)
    .delete(currentsConnectors)
    .where(and(eq(currentsConnectors.workspaceId, workspaceId), eq(currentsConnectors.id, id)))
    .run();
  enabledCache.delete(workspaceId);
  return res.meta.changes > 0;
}

/**
 * Enabled connectors per workspace, cached for 10 seconds per isolate: a connector created or
 * changed elsewhere takes effect within that time (at once in the isolate that saved it).
 */
const enabledCache = new TtlCache<Connector[]>(10_000, 1_000);

/** The workspace's enabled connectors (cached briefly). */
export function enabledConnectors(db: D1Database, workspaceId: string): Promise<Connector[]> {
  return enabledCache.get(workspaceId, Date.now(), async () =>
    (await listConnectors(db, workspaceId)).filter((c) => c.enabled),
  );
}
