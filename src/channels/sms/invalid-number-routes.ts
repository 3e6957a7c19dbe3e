import { z } from 'zod';
import { badRequest } from '../../http/errors';
import { defineRoute } from '../../http/route';
import { clearNumbers, listInvalidNumbers } from './address-store';
import { toE164 } from './phone';

/**
 * Braze's invalid phone number endpoints: the numbers Twilio said can never take SMS (Herald stops
 * sending to them), and removing numbers from that list so they are tried again.
 */

const TAG = 'SMS';
const MAX_PHONES = 50;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in YYYY-MM-DD format')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real date');

const Phones = z
  .union([z.string(), z.array(z.string())], {
    error: 'phone_numbers must be an array of E.164 phone numbers',
  })
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .refine((v) => v.length > 0, 'phone_numbers must not be empty')
  .refine((v) => v.length <= MAX_PHONES, `phone_numbers may hold at most ${MAX_PHONES} numbers`);

function e164All(phones: string[]): string[] {
  return phones.map((p) => {
    const e164 = toE164(p);
    if (!e164) throw badRequest(`phone_numbers: ${p} is not an E.164 phone number`);
    return e164;
  });
}

/** Braze's timestamp format in this answer: `2016-08-25 15:24:32 +0000`. */
function brazeTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

export const invalidNumbersRoute = defineRoute({
  method: 'get',
  path: '/sms/invalid_phone_numbers',
  tag: TAG,
  summary: 'Phone numbers found invalid, newest first',
  description:
    'Give `start_date` and `end_date` (YYYY-MM-DD, midnight UTC; start before end) or ' +
    '`phone_numbers` (up to 50; then the dates are ignored). `limit` defaults to 100, at most 500.',
  auth: { type: 'api_key', permission: 'sms.invalid_phone_numbers', bucket: 'default' },
  query: z.object({
    start_date: Day.optional(),
    end_date: Day.optional(),
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be at least 1')
      .max(500, 'limit may be at most 500')
      .default(100),
    offset: z.coerce
      .number({ error: 'offset must be a number' })
      .int('offset must be an integer')
      .min(0, 'offset must not be negative')
      .default(0),
    phone_numbers: Phones.optional(),
    reason: z
      .enum(['provider_error', 'deactivated'], {
        error: 'reason must be provider_error or deactivated',
      })
      .optional(),
  }),
  success: {
    status: 200,
    description: 'The numbers',
    schema: z.object({
      sms: z.array(z.object({ phone: z.string(), invalid_detected_at: z.string() })),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const phones = query.phone_numbers ? e164All(query.phone_numbers) : null;
    let from = 0;
    let to = 0;
    if (!phones) {
      if (!query.start_date || !query.end_date) {
        throw badRequest('Either start_date and end_date, or phone_numbers, must be provided');
      }
      from = Date.parse(`${query.start_date}T00:00:00Z`);
      to = Date.parse(`${query.end_date}T00:00:00Z`);
      if (from >= to) throw badRequest('start_date must be earlier than end_date');
    }
    const rows = await listInvalidNumbers(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      phones,
      from,
      to,
      reason: query.reason ?? null,
      limit: query.limit,
      offset: query.offset,
    });
    return c.json({
      sms: rows.map((r) => ({ phone: r.phone, invalid_detected_at: brazeTime(r.at) })),
      message: 'success',
    });
  },
});

export const removeInvalidNumbersRoute = defineRoute({
  method: 'post',
  path: '/sms/invalid_phone_numbers/remove',
  tag: TAG,
  summary: 'Remove phone numbers from the invalid list',
  description: 'Up to 50 numbers; the next send to them calls Twilio again.',
  auth: { type: 'api_key', permission: 'sms.invalid_phone_numbers.remove', bucket: 'default' },
  body: z.object({ phone_numbers: Phones }),
  success: { status: 200, description: 'Removed', schema: z.object({ message: z.string() }) },
  handler: async (c, { body }) => {
    await clearNumbers(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      phones: e164All(body.phone_numbers),
      kind: 'invalid_number',
    });
    return c.json({ message: 'success' });
  },
});
