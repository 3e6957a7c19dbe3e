import { z } from 'zod';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { newBrazeId } from '../lib/ids';
import { checkAddress } from '../personalization/address-guard';
import { EVENT_TYPES, type EventType, eventSpec } from './catalog';
import {
  type Connector,
  ConnectorConfig,
  deleteConnector,
  FieldTransformation,
  getConnector,
  listConnectors,
  saveConnector,
} from './connectors';
import { forgetConnector } from './stats';

/**
 * Currents connector management: Braze configures Currents in its dashboard; Herald does it over
 * REST under /herald/currents with `herald.currents.write` (and `.read` to look).
 */

const TAG = 'Currents';
const READ = { type: 'api_key', permission: 'herald.currents.read', bucket: 'default' } as const;
const WRITE = { type: 'api_key', permission: 'herald.currents.write', bucket: 'default' } as const;

/** RFC 6750 b64token, as Braze requires of the custom connector's bearer token. */
const BEARER = /^[A-Za-z0-9\-._~+/]+=*$/;

const Storage = z.strictObject({
  prefix: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9!\-_.*'()/]*$/, "storage.prefix may hold letters, digits, / and -_.!*'()")
    .optional(),
  codec: z.enum(['null', 'deflate'], { error: 'storage.codec must be null or deflate' }).optional(),
});

const Http = z.strictObject({
  url: z.string().max(2_048).optional(),
  bearer_token: z
    .string()
    .max(1_024)
    .regex(BEARER, 'http.bearer_token must be an RFC 6750 token')
    .nullable()
    .optional(),
  batch_size: z.number().int().min(1).max(1_000).optional(),
});

const Common = {
  name: z.string().min(1).max(255),
  enabled: z.boolean().optional(),
  event_types: ConnectorConfig.shape.event_types.optional(),
  field_transformations: z.array(FieldTransformation).max(100).optional(),
  shards: z.number().int().min(1).max(16).optional(),
  storage: Storage.optional(),
  http: Http.optional(),
  /** Update only: make a new signing secret (answered once). */
  rotate_signing_secret: z.boolean().optional(),
};

const CreateBody = z.strictObject({
  ...Common,
  type: z.enum(['storage', 'http'], { error: 'type must be storage or http' }),
});
const UpdateBody = z.strictObject({ ...Common, name: Common.name.optional() });

const ConnectorOut = z.object({
  message: z.string(),
  connector: z.object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['storage', 'http']),
    enabled: z.boolean(),
    event_types: z.array(z.string()),
    field_transformations: z.array(FieldTransformation),
    shards: z.number().int(),
    storage: z.object({ prefix: z.string(), codec: z.string(), key_prefix: z.string() }).nullable(),
    http: z
      .object({ url: z.string(), batch_size: z.number().int(), bearer_token_set: z.boolean() })
      .nullable(),
    signing_secret: z.string().optional(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
});

function out(c: Connector, extra: { signingSecret?: string } = {}) {
  const storage = c.config.storage;
  return {
    id: c.id,
    name: c.name,
    type: c.kind,
    enabled: c.enabled,
    event_types: c.config.event_types,
    field_transformations: c.config.field_transformations,
    shards: c.config.shards,
    storage: storage
      ? {
          ...storage,
          key_prefix: `${storage.prefix ? `${storage.prefix}/` : ''}dataexport.herald-01.S3.integration.${c.id}/`,
        }
      : null,
    http: c.config.http
      ? { ...c.config.http, bearer_token_set: Boolean(c.secrets.bearer_token) }
      : null,
    ...(extra.signingSecret ? { signing_secret: extra.signingSecret } : {}),
    created_at: new Date(c.createdAt).toISOString(),
    updated_at: new Date(c.updatedAt).toISOString(),
  };
}

function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}`;
}

/** Apply a create or update body to a connector, checking what zod cannot. */
function apply(c: Ctx, base: Connector, body: z.infer<typeof UpdateBody>): Connector {
  const config = { ...base.config };
  if (body.event_types) config.event_types = [...new Set(body.event_types)] as EventType[];
  if (body.field_transformations) config.field_transformations = body.field_transformations;
  if (body.shards !== undefined) config.shards = body.shards;
  const secrets = { ...base.secrets };
  if (base.kind === 'storage') {
    if (body.http) throw badRequest('http settings are for http connectors');
    config.storage = {
      prefix: body.storage?.prefix ?? config.storage?.prefix ?? 'currents',
      codec: body.storage?.codec ?? config.storage?.codec ?? 'null',
    };
  } else {
    if (body.storage) throw badRequest('storage settings are for storage connectors');
    const url = body.http?.url ?? config.http?.url;
    if (!url) throw badRequest('http.url is required for http connectors');
    const allowlist = c.get('caller').workspace.settings.connected_content_allowlist;
    const checked = checkAddress(url, allowlist);
    if (!checked.ok) throw badRequest(`http.url: ${checked.reason}`);
    if (checked.url.protocol !== 'https:' && allowlist.length === 0) {
      throw badRequest('http.url must be https');
    }
    config.http = { url, batch_size: body.http?.batch_size ?? config.http?.batch_size ?? 100 };
    if (body.http?.bearer_token !== undefined) {
      if (body.http.bearer_token === null) delete secrets.bearer_token;
      else secrets.bearer_token = body.http.bearer_token;
    }
  }
  return {
    ...base,
    name: body.name ?? base.name,
    enabled: body.enabled ?? base.enabled,
    config,
    secrets,
    updatedAt: Date.now(),
  };
}

async function mustGet(c: Ctx): Promise<Connector> {
  const found = await getConnector(
    c.env.DB,
    c.get('caller').workspace.id,
    c.req.param('connector_id') ?? '',
  );
  if (!found) throw new ApiError(404, 'Connector not found');
  return found;
}

export const createConnectorRoute = defineRoute({
  method: 'post',
  path: '/herald/currents/connectors',
  tag: TAG,
  summary: 'Create a Currents connector',
  description:
    "`storage` writes Avro files to the EXPORTS bucket under `storage.prefix` in Braze's key " +
    'layout; `http` posts `{"events": [...]}` batches to `http.url`, signed with the ' +
    '`X-Herald-Signature` header (the `signing_secret` is answered here once). `event_types` ' +
    'defaults to every type Herald exports; `field_transformations` replace a string field by ' +
    '`[REDACTED]` (remove) or its SHA-256 (hash) in every selected event type that has it.',
  auth: WRITE,
  body: CreateBody,
  success: { status: 201, description: 'The connector', schema: ConnectorOut },
  handler: async (c, { body }) => {
    if (body.rotate_signing_secret !== undefined) {
      throw badRequest('rotate_signing_secret is for updates');
    }
    const now = Date.now();
    const signingSecret = body.type === 'http' ? newSigningSecret() : undefined;
    const base: Connector = {
      workspaceId: c.get('caller').workspace.id,
      id: newBrazeId(now),
      name: body.name,
      kind: body.type,
      enabled: true,
      config: {
        event_types: [...EVENT_TYPES],
        field_transformations: [],
        shards: 1,
        storage: null,
        http: null,
      },
      secrets: signingSecret ? { signing_secret: signingSecret } : {},
      createdAt: now,
      updatedAt: now,
    };
    const connector = apply(c, base, body);
    await saveConnector(c.env.DB, connector);
    return c.json({ message: 'success', connector: out(connector, { signingSecret }) }, 201);
  },
});

export const listConnectorsRoute = defineRoute({
  method: 'get',
  path: '/herald/currents/connectors',
  tag: TAG,
  summary: "List the workspace's Currents connectors",
  auth: READ,
  success: {
    status: 200,
    description: 'Connectors',
    schema: z.object({ message: z.string(), connectors: z.array(ConnectorOut.shape.connector) }),
  },
  handler: async (c) => {
    const list = await listConnectors(c.env.DB, c.get('caller').workspace.id);
    return c.json({ message: 'success', connectors: list.map((x) => out(x)) });
  },
});

export const getConnectorRoute = defineRoute({
  method: 'get',
  path: '/herald/currents/connectors/{connector_id}',
  tag: TAG,
  summary: 'Read a Currents connector',
  auth: READ,
  success: { status: 200, description: 'The connector', schema: ConnectorOut },
  handler: async (c) => c.json({ message: 'success', connector: out(await mustGet(c)) }),
});

export const updateConnectorRoute = defineRoute({
  method: 'patch',
  path: '/herald/currents/connectors/{connector_id}',
  tag: TAG,
  summary: 'Change a Currents connector (only the fields given)',
  description:
    '`enabled: false` pauses it: events keep buffering and are sent once it is enabled again. ' +
    '`rotate_signing_secret: true` answers a new `signing_secret` once. `http.bearer_token: null` ' +
    'removes the token. Changes reach every isolate within 10 seconds.',
  auth: WRITE,
  body: UpdateBody,
  success: { status: 200, description: 'The connector', schema: ConnectorOut },
  handler: async (c, { body }) => {
    const current = await mustGet(c);
    const connector = apply(c, current, body);
    let signingSecret: string | undefined;
    if (body.rotate_signing_secret) {
      if (connector.kind !== 'http') throw badRequest('only http connectors sign their batches');
      signingSecret = newSigningSecret();
      connector.secrets = { ...connector.secrets, signing_secret: signingSecret };
    }
    await saveConnector(c.env.DB, connector);
    return c.json({ message: 'success', connector: out(connector, { signingSecret }) });
  },
});

export const deleteConnectorRoute = defineRoute({
  method: 'delete',
  path: '/herald/currents/connectors/{connector_id}',
  tag: TAG,
  summary: 'Delete a Currents connector',
  description:
    'Events still buffered for it are discarded at its next flush; files already written stay.',
  auth: WRITE,
  success: { status: 200, description: 'Deleted', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const id = c.req.param('connector_id') ?? '';
    if (!(await deleteConnector(c.env.DB, workspaceId, id))) {
      throw new ApiError(404, 'Connector not found');
    }
    await forgetConnector(c.env.DB, workspaceId, id);
    return c.json({ message: 'success' });
  },
});

export const eventTypesRoute = defineRoute({
  method: 'get',
  path: '/herald/currents/event_types',
  tag: TAG,
  summary: 'The Currents event types Herald exports, with their fields',
  auth: READ,
  success: {
    status: 200,
    description: 'Event types',
    schema: z.object({
      message: z.string(),
      event_types: z.array(
        z.object({
          name: z.string(),
          description: z.string(),
          fields: z.array(z.object({ name: z.string(), type: z.string(), optional: z.boolean() })),
        }),
      ),
    }),
  },
  handler: async (c) =>
    c.json({
      message: 'success',
      event_types: EVENT_TYPES.map((t) => {
        const spec = eventSpec(t);
        return {
          name: t,
          description: spec.doc,
          fields: spec.fields.map((f) => ({ name: f.name, type: f.type, optional: f.optional })),
        };
      }),
    }),
});
