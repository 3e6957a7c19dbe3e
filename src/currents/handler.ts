import type { ChangeBatch, ChangeRecord } from '../changes/records';
import { fnv1a32, sha256Hex } from '../lib/hash';
import { currentsBufferStub, profileStub } from '../lib/stubs';
import type { FlatRecord } from './avro';
import type { BufferTarget } from './buffer-store';
import { type Connector, enabledConnectors, type FieldTransformation } from './connectors';
import { type CurrentsEvent, currentsEvents, type UserContext } from './events';

/**
 * The change handler that feeds Currents: for every workspace with an enabled connector, it turns
 * change records into Currents events, applies each connector's event selection and field
 * transformations, and appends them to the connector's buffer shard (the profile id picks the
 * shard). It returns only once every append is stored, so the consumer acks the queue message
 * after the events are durable; a redelivery appends the same ids, which the buffers ignore.
 */

/** Records that can become a Currents event; others need no profile read. */
const EXPORTED = new Set<ChangeRecord['type']>([
  'event.custom',
  'event.purchase',
  'subscription.changed',
  'profile.created',
  'profile.deleted',
  'profile.orphaned',
  'message.event',
]);

type Env_ = {
  DB: D1Database;
  USER_PROFILE: Env['USER_PROFILE'];
  CURRENTS_BUFFER: Env['CURRENTS_BUFFER'];
};

async function userContext(env: Env_, b: ChangeBatch): Promise<UserContext> {
  const answer = await profileStub(env.USER_PROFILE, b.workspace_id, b.profile_id).recipient({
    workspaceId: b.workspace_id,
    profileId: b.profile_id,
    addressedBy: null,
    now: Date.now(),
  });
  const ctx: UserContext = {
    workspaceId: b.workspace_id,
    userId: b.profile_id,
    externalUserId: null,
    email: null,
    phone: null,
    timezone: null,
    randomBucket: null,
  };
  if (answer.status !== 'ok') return ctx;
  const r = answer.recipient;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    ...ctx,
    externalUserId: r.externalId,
    email: str(r.standard.email),
    phone: str(r.standard.phone),
    timezone: str(r.standard.time_zone),
    randomBucket: r.randomBucket,
  };
}

/** Apply a connector's field transformations to a copy of the record (string fields only). */
export async function transform(
  flat: FlatRecord,
  rules: readonly FieldTransformation[],
): Promise<FlatRecord> {
  if (rules.length === 0) return flat;
  const out = { ...flat };
  for (const rule of rules) {
    const v = out[rule.field];
    if (typeof v !== 'string') continue;
    out[rule.field] = rule.transformation === 'remove' ? '[REDACTED]' : await sha256Hex(v);
  }
  return out;
}

async function forConnector(c: Connector, events: CurrentsEvent[]): Promise<CurrentsEvent[]> {
  const types = new Set<string>(c.config.event_types);
  const picked = events.filter((e) => types.has(e.type));
  return Promise.all(
    picked.map(async (e) => ({
      ...e,
      flat: await transform(e.flat, c.config.field_transformations),
    })),
  );
}

/** The Currents change handler (registered in workers/main.ts). */
export function currentsHandler(env: Env_) {
  return async (batches: ChangeBatch[]): Promise<void> => {
    const byWorkspace = new Map<string, ChangeBatch[]>();
    for (const b of batches) {
      if (!b.records.some((r) => EXPORTED.has(r.type))) continue;
      byWorkspace.set(b.workspace_id, [...(byWorkspace.get(b.workspace_id) ?? []), b]);
    }
    const appends = new Map<string, { target: BufferTarget; events: CurrentsEvent[] }>();
    await Promise.all(
      [...byWorkspace].map(async ([workspaceId, list]) => {
        const connectors = await enabledConnectors(env.DB, workspaceId);
        if (connectors.length === 0) return;
        await Promise.all(
          list.map(async (b) => {
            const user = await userContext(env, b);
            const events = b.records.flatMap((r) => currentsEvents(r, user));
            for (const c of connectors) {
              const picked = await forConnector(c, events);
              if (picked.length === 0) continue;
              const shard = fnv1a32(b.profile_id) % c.config.shards;
              const key = `${workspaceId}\u0000${c.id}\u0000${shard}`;
              const entry = appends.get(key) ?? {
                target: { workspaceId, connectorId: c.id, shard },
                events: [],
              };
              entry.events.push(...picked);
              appends.set(key, entry);
            }
          }),
        );
      }),
    );
    await Promise.all(
      [...appends.values()].map((a) => currentsBufferStub(env.CURRENTS_BUFFER, a.target).append(a)),
    );
  };
}
