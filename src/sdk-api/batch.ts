import { z } from 'zod';
import type { Problem } from '../ingestion/identifier';
import type {
  AttributesInput,
  EventInput,
  Identifier,
  PurchaseInput,
  SessionInput,
} from '../ingestion/types';
import { validateAttributes } from '../ingestion/validate-attributes';
import { validateEvent, validatePurchase } from '../ingestion/validate-event';
import { fastItem } from './fast-item';
import {
  CardFields,
  FlagFields,
  IamClickFields,
  IamFields,
  type Interaction,
  interactionOf,
} from './interactions';

/**
 * The SDK wire protocol, version 1 (docs/sdk-protocol.md): a device posts a batch of items, each
 * with the client's own id (retries never count twice), its own user (batches may mix users after
 * an identify or a retry) and a type. Items become the same validated objects `/users/track`
 * makes, so both paths share every rule.
 */

/** Items per batch; a device flushes long before this. */
export const MAX_ITEMS = 100;
/** Label of the alias an anonymous device user carries until it is identified. */
export const ANONYMOUS_LABEL = 'herald_anonymous';

const ClientId = z
  .string({ error: 'id must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'id must be 8–128 letters, digits or _ . : -');
const AnonymousId = z
  .string({ error: 'anonymous_id must be a string' })
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'anonymous_id must be 8–128 letters, digits, _ or -');

export const SdkUser = z.union(
  [
    z.strictObject({ external_id: z.string().min(1).max(512) }),
    z.strictObject({ anonymous_id: AnonymousId }),
  ],
  { error: 'user must be {external_id} or {anonymous_id}' },
);
export type SdkUser = z.infer<typeof SdkUser>;

const Common = {
  id: ClientId,
  user: SdkUser,
  /** Epoch milliseconds on the device. */
  time: z.number({ error: 'time must be epoch milliseconds' }).int().nonnegative(),
};

export const SdkItem = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...Common, type: z.literal('session_start'), session_id: ClientId }),
    z.strictObject({
      ...Common,
      type: z.literal('session_end'),
      session_id: ClientId,
      duration: z
        .number()
        .nonnegative()
        .max(86_400 * 7),
    }),
    z.strictObject({
      ...Common,
      type: z.literal('event'),
      name: z.string(),
      properties: z.record(z.string(), z.unknown()).optional(),
    }),
    z.strictObject({
      ...Common,
      type: z.literal('purchase'),
      product_id: z.string(),
      currency: z.string(),
      price: z.number(),
      quantity: z.number().int().optional(),
      properties: z.record(z.string(), z.unknown()).optional(),
    }),
    z.strictObject({
      ...Common,
      type: z.literal('attributes'),
      /** Standard fields and custom attributes, as in a `/users/track` attributes object. */
      attributes: z.record(z.string(), z.unknown()),
    }),
    z.strictObject({
      ...Common,
      type: z.literal('identify'),
      /** changeUser: the device's anonymous user becomes (or merges into) this external id. */
      anonymous_id: AnonymousId,
      external_id: z.string().min(1).max(512),
    }),
    z.strictObject({
      ...Common,
      type: z.literal('push_token'),
      /** The push token; for Web Push the text of `PushSubscription.toJSON()`. */
      token: z.string({ error: 'token must be a string' }).min(1).max(4_096),
      device_id: z.string({ error: 'device_id must be a string' }).min(1).max(128).optional(),
    }),
    z.strictObject({ ...Common, type: z.literal('card_impression'), ...CardFields }),
    z.strictObject({ ...Common, type: z.literal('card_click'), ...CardFields }),
    z.strictObject({ ...Common, type: z.literal('card_dismiss'), ...CardFields }),
    z.strictObject({ ...Common, type: z.literal('iam_impression'), ...IamFields }),
    z.strictObject({ ...Common, type: z.literal('iam_click'), ...IamClickFields }),
    z.strictObject({ ...Common, type: z.literal('flag_impression'), ...FlagFields }),
  ],
  {
    error:
      'type must be session_start, session_end, event, purchase, attributes, identify, ' +
      'push_token, card_impression, card_click, card_dismiss, iam_impression, iam_click or ' +
      'flag_impression',
  },
);
export type SdkItem = z.infer<typeof SdkItem>;

export const SdkBatch = z.strictObject({
  app_key: z.string({ error: 'app_key must be a string' }).min(1).max(128),
  sdk_version: z.string().max(64).optional(),
  device_id: z.string().max(128).optional(),
  items: z
    .array(z.unknown(), { error: 'items must be an array' })
    .min(1, 'items must not be empty')
    .max(MAX_ITEMS, `at most ${MAX_ITEMS} items per batch`),
});

/** Whether any item names an identified user (SDK authentication then applies to the batch). */
export function namesExternalId(items: unknown[]): boolean {
  return items.some((raw) => {
    if (raw === null || typeof raw !== 'object') return false;
    const item = raw as { type?: unknown; user?: { external_id?: unknown } };
    return (
      item.type === 'identify' ||
      (typeof item.user === 'object' && item.user !== null && 'external_id' in item.user)
    );
  });
}

/** The external ids an item writes to: its user's, and the one an identify claims. */
export function externalIdsOf(item: SdkItem): string[] {
  const out = 'external_id' in item.user ? [item.user.external_id] : [];
  if (item.type === 'identify') out.push(item.external_id);
  return out;
}

/** How an SDK user is addressed on the REST side: an anonymous device user is an alias. */
export function identifierOf(user: SdkUser): Identifier {
  return 'external_id' in user
    ? { kind: 'external_id', value: user.external_id }
    : { kind: 'user_alias', label: ANONYMOUS_LABEL, name: user.anonymous_id };
}

function restIdentifier(user: SdkUser): Record<string, unknown> {
  return 'external_id' in user
    ? { external_id: user.external_id }
    : {
        user_alias: { alias_label: ANONYMOUS_LABEL, alias_name: user.anonymous_id },
        // Braze's alias objects update only by default; a device's first contact creates it.
        _update_existing_only: false,
      };
}

/** A run of items applied together: the items between two identify items. */
export interface Chunk {
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions: SessionInput[];
  /** Card, in-app message and flag reports, applied after the chunk's profile writes. */
  interactions: Interaction[];
  /** Batch index of each object, by array and object index. */
  origin: Record<'attributes' | 'events' | 'purchases' | 'sessions' | 'interactions', number[]>;
}

export type Step =
  | { kind: 'apply'; chunk: Chunk }
  | { kind: 'identify'; item: SdkItem & { type: 'identify' }; index: number };

export interface PlannedBatch {
  steps: Step[];
  errors: { index: number; message: string }[];
}

const problemText = (p: Problem) => p.message;

function emptyChunk(): Chunk {
  return {
    attributes: [],
    events: [],
    purchases: [],
    sessions: [],
    interactions: [],
    origin: { attributes: [], events: [], purchases: [], sessions: [], interactions: [] },
  };
}

/**
 * Validate every item and order the work: items apply in runs, each identify in between, so
 * what a device logged before `changeUser` lands on the anonymous user and what it logged after
 * lands on the identified one. An invalid item is reported by index; the others still apply.
 */
export function planBatch(
  items: unknown[],
  input: {
    appId: string;
    now: number;
    /** SDK authentication: the error for an item this request may not write, else null. */
    refuse?: (item: SdkItem) => string | null;
  },
): PlannedBatch {
  const steps: Step[] = [];
  const errors: PlannedBatch['errors'] = [];
  let chunk = emptyChunk();
  const flush = () => {
    const c = chunk;
    const writes = c.attributes.length + c.events.length + c.purchases.length + c.sessions.length;
    if (writes + c.interactions.length > 0) {
      steps.push({ kind: 'apply', chunk: c });
    }
    chunk = emptyChunk();
  };
  items.forEach((raw, index) => {
    let item = fastItem(raw);
    if (!item) {
      const parsed = SdkItem.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.join('.') ?? '';
        errors.push({ index, message: `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}` });
        return;
      }
      item = parsed.data;
    }
    const refused = input.refuse?.(item);
    if (refused) {
      errors.push({ index, message: refused });
      return;
    }
    if (item.type === 'identify') {
      flush();
      steps.push({ kind: 'identify', item, index });
      return;
    }
    const time = Math.min(item.time, input.now);
    const rest = { ...restIdentifier(item.user), app_id: input.appId };
    const clientId = item.id;
    switch (item.type) {
      case 'session_start':
      case 'session_end': {
        const identifier = identifierOf(item.user);
        chunk.sessions.push({
          index: chunk.sessions.length,
          identifier,
          updateExistingOnly: false,
          clientId,
          kind: item.type === 'session_start' ? 'start' : 'end',
          sessionId: item.session_id,
          appId: input.appId,
          time,
          ...(item.type === 'session_end' ? { durationS: item.duration } : {}),
        });
        chunk.origin.sessions.push(index);
        return;
      }
      case 'event': {
        const checked = validateEvent(
          { ...rest, name: item.name, properties: item.properties },
          chunk.events.length,
          input.now,
          time,
        );
        if (!checked.ok) {
          errors.push({ index, message: problemText(checked.problem) });
          return;
        }
        chunk.events.push({ ...checked.value, clientId });
        chunk.origin.events.push(index);
        return;
      }
      case 'purchase': {
        const checked = validatePurchase(
          {
            ...rest,
            product_id: item.product_id,
            currency: item.currency,
            price: item.price,
            quantity: item.quantity,
            properties: item.properties,
          },
          chunk.purchases.length,
          input.now,
          time,
        );
        if (!checked.ok) {
          errors.push({ index, message: problemText(checked.problem) });
          return;
        }
        chunk.purchases.push({ ...checked.value, clientId });
        chunk.origin.purchases.push(index);
        return;
      }
      case 'push_token':
      case 'attributes': {
        const { app_id: _app, ...identity } = rest;
        // A token registers exactly as /users/track `push_tokens` would, for the batch's app.
        const fields =
          item.type === 'push_token'
            ? {
                push_tokens: [
                  {
                    app_id: input.appId,
                    token: item.token,
                    ...(item.device_id ? { device_id: item.device_id } : {}),
                  },
                ],
              }
            : { ...item.attributes };
        for (const key of ['external_id', 'user_alias', 'braze_id']) {
          if (key in fields) {
            errors.push({ index, message: `attributes.${key}: set the user with "user"` });
            return;
          }
        }
        const checked = validateAttributes({ ...fields, ...identity }, chunk.attributes.length);
        if (!checked.ok) {
          errors.push({ index, message: problemText(checked.problem) });
          return;
        }
        chunk.attributes.push({ ...checked.value.value, clientId });
        chunk.origin.attributes.push(index);
        for (const p of checked.value.dropped) errors.push({ index, message: problemText(p) });
        return;
      }
      default:
        chunk.interactions.push(interactionOf(item, time));
        chunk.origin.interactions.push(index);
    }
  });
  flush();
  return { steps, errors };
}
