import { z } from 'zod';
import { defineRoute } from '../../http/route';
import { looksLikeEmail } from '../../ingestion/identifier';
import {
  type AddressKind,
  type AddressStateRow,
  listAddressStates,
  putAddressState,
  removeAddressStates,
} from './address-store';
import { updateProfilesByEmail } from './profiles-by-email';

/**
 * Braze's email list endpoints (contract §2.10, §7): subscription state by address, the hard
 * bounce and unsubscribe lists, removing addresses from the bounce and spam lists, and the
 * blocklist. Lists live in D1 `address_states`; profile changes go through /users/track's path.
 */

const TAG = 'Email';
const MAX_EMAILS = 50;

const Email = z
  .string({ error: 'email must be a string or an array of strings' })
  .max(255)
  .refine(looksLikeEmail, 'email must be a valid email address');

/** `email`: one address or up to 50. */
const Emails = z
  .union(
    [
      Email,
      z
        .array(Email)
        .min(1, 'email must not be empty')
        .max(MAX_EMAILS, `email takes at most ${MAX_EMAILS} addresses`),
    ],
    {
      error: 'email must be a string or an array of strings',
    },
  )
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])]);

const EmailsBody = z.strictObject({ email: Emails });
const Success = z.object({ message: z.string() });

export const emailStatusRoute = defineRoute({
  method: 'post',
  path: '/email/status',
  tag: TAG,
  summary: 'Set the email subscription state of addresses',
  description:
    'Every profile with the address gets `email_subscribe`. An `unsubscribed` address is kept ' +
    'in the unsubscribe list (`/email/unsubscribes`), also when no profile has it yet.',
  auth: { type: 'api_key', permission: 'email.status', bucket: 'default' },
  body: z.strictObject({
    email: Emails,
    subscription_state: z.enum(['subscribed', 'unsubscribed', 'opted_in'], {
      error: 'subscription_state must be subscribed, unsubscribed or opted_in',
    }),
  }),
  success: { status: 201, description: 'Applied', schema: Success },
  handler: async (c, { body }) => {
    const { workspace } = c.get('caller');
    const now = Date.now();
    const found = await updateProfilesByEmail(c.env, {
      workspace,
      emails: body.email,
      standard: { email_subscribe: body.subscription_state },
      now,
    });
    if (body.subscription_state === 'unsubscribed') {
      for (const [address, profileId] of found) {
        await putAddressState(c.env.DB, {
          workspaceId: workspace.id,
          address,
          kind: 'unsubscribe',
          reason: 'api',
          profileId,
          at: now,
        });
      }
    } else {
      await removeAddressStates(c.env.DB, {
        workspaceId: workspace.id,
        kind: 'unsubscribe',
        addresses: body.email,
      });
    }
    return c.json({ message: 'success' }, 201);
  },
});

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real date');

/** The list endpoints' query (Braze's, with `sort_direction` on both). */
const ListQuery = z
  .object({
    start_date: Day.optional(),
    end_date: Day.optional(),
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be 1..500')
      .max(500, 'limit must be 1..500')
      .default(100),
    offset: z.coerce
      .number({ error: 'offset must be a number' })
      .int('offset must be an integer')
      .min(0, 'offset must not be negative')
      .default(0),
    email: z
      .union([Email, z.array(Email).max(MAX_EMAILS)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    sort_direction: z
      .enum(['asc', 'desc'], { error: 'sort_direction must be asc or desc' })
      .default('desc'),
  })
  .refine((q) => q.email !== undefined || q.start_date !== undefined || q.end_date !== undefined, {
    message: 'Provide an email, or a start_date and an end_date',
  })
  .refine((q) => !q.start_date || !q.end_date || q.start_date <= q.end_date, {
    message: 'start_date must not be after end_date',
  });

/** Braze's list timestamps: `2016-08-25 15:24:32 +0000`. */
function brazeTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

const DAY_MS = 86_400_000;

async function listed(
  db: D1Database,
  input: {
    workspaceId: string;
    kind: AddressKind;
    query: z.infer<typeof ListQuery>;
  },
): Promise<AddressStateRow[]> {
  const q = input.query;
  // Given addresses take priority over the date range, as in Braze.
  return listAddressStates(db, {
    workspaceId: input.workspaceId,
    kind: input.kind,
    ...(q.email
      ? { addresses: q.email }
      : {
          ...(q.start_date ? { from: Date.parse(`${q.start_date}T00:00:00Z`) } : {}),
          ...(q.end_date ? { to: Date.parse(`${q.end_date}T00:00:00Z`) + DAY_MS } : {}),
        }),
    direction: q.sort_direction,
    limit: q.limit,
    offset: q.offset,
  });
}

export const hardBouncesRoute = defineRoute({
  method: 'get',
  path: '/email/hard_bounces',
  tag: TAG,
  summary: 'Addresses that hard bounced in a date range (or the given ones)',
  description:
    '`start_date`/`end_date` (YYYY-MM-DD, inclusive) or `email`; `limit` 1..500 (default ' +
    '100), `offset`. `unknown` is true for an address no profile had when it bounced.',
  auth: { type: 'api_key', permission: 'email.hard_bounces', bucket: 'default' },
  query: ListQuery,
  success: {
    status: 200,
    description: 'Hard bounces',
    schema: z.object({
      emails: z.array(
        z.object({
          email: z.string(),
          unknown: z.boolean().optional(),
          hard_bounced_at: z.string(),
        }),
      ),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const rows = await listed(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      kind: 'hard_bounce',
      query,
    });
    return c.json({
      emails: rows.map((r) => ({
        email: r.address,
        ...(r.profileId === null ? { unknown: true } : {}),
        hard_bounced_at: brazeTime(r.at),
      })),
      message: 'success',
    });
  },
});

export const unsubscribesRoute = defineRoute({
  method: 'get',
  path: '/email/unsubscribes',
  tag: TAG,
  summary: 'Addresses that unsubscribed in a date range (or the given ones)',
  description:
    'Unsubscribes through Herald: unsubscribe links and one-click, provider unsubscribe and spam ' +
    'events, `/email/status`, the blocklist. `sort_direction` asc | desc (default desc).',
  auth: { type: 'api_key', permission: 'email.unsubscribe', bucket: 'default' },
  query: ListQuery,
  success: {
    status: 200,
    description: 'Unsubscribes',
    schema: z.object({
      emails: z.array(z.object({ email: z.string(), unsubscribed_at: z.string() })),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const rows = await listed(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      kind: 'unsubscribe',
      query,
    });
    return c.json({
      emails: rows.map((r) => ({ email: r.address, unsubscribed_at: brazeTime(r.at) })),
      message: 'success',
    });
  },
});

export const bounceRemoveRoute = defineRoute({
  method: 'post',
  path: '/email/bounce/remove',
  tag: TAG,
  summary: 'Remove addresses from the hard bounce list (sending resumes)',
  auth: { type: 'api_key', permission: 'email.bounce.remove', bucket: 'default' },
  body: EmailsBody,
  success: { status: 200, description: 'Removed', schema: Success },
  handler: async (c, { body }) => {
    await removeAddressStates(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      kind: 'hard_bounce',
      addresses: body.email,
    });
    return c.json({ message: 'success' });
  },
});

export const spamRemoveRoute = defineRoute({
  method: 'post',
  path: '/email/spam/remove',
  tag: TAG,
  summary: 'Remove addresses from the spam list',
  description:
    "Clears the profiles' `marked_email_as_spam_at`; `email_subscribe` stays as it is (the user " +
    'unsubscribed when reporting spam).',
  auth: { type: 'api_key', permission: 'email.spam.remove', bucket: 'default' },
  body: EmailsBody,
  success: { status: 200, description: 'Removed', schema: Success },
  handler: async (c, { body }) => {
    const { workspace } = c.get('caller');
    await removeAddressStates(c.env.DB, {
      workspaceId: workspace.id,
      kind: 'spam',
      addresses: body.email,
    });
    await updateProfilesByEmail(c.env, {
      workspace,
      emails: body.email,
      standard: { marked_email_as_spam_at: null },
      now: Date.now(),
    });
    return c.json({ message: 'success' });
  },
});

function blocklistRoute(path: string) {
  return defineRoute({
    method: 'post',
    path,
    tag: TAG,
    summary:
      path === '/email/blacklist'
        ? 'Blocklist addresses (legacy name of /email/blocklist)'
        : 'Blocklist addresses: unsubscribe them and mark them hard bounced',
    auth: { type: 'api_key', permission: 'email.blacklist', bucket: 'default' },
    body: EmailsBody,
    success: { status: 200, description: 'Blocklisted', schema: Success },
    handler: async (c, { body }) => {
      const { workspace } = c.get('caller');
      const now = Date.now();
      const found = await updateProfilesByEmail(c.env, {
        workspace,
        emails: body.email,
        standard: { email_subscribe: 'unsubscribed' },
        now,
      });
      for (const [address, profileId] of found) {
        for (const kind of ['hard_bounce', 'unsubscribe'] as const) {
          await putAddressState(c.env.DB, {
            workspaceId: workspace.id,
            address,
            kind,
            reason: 'blocklisted',
            profileId,
            at: now,
          });
        }
      }
      return c.json({ message: 'success' });
    },
  });
}

export const blocklistEmailRoute = blocklistRoute('/email/blocklist');
export const blacklistEmailRoute = blocklistRoute('/email/blacklist');
