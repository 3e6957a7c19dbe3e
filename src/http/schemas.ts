import { z } from 'zod';

/** Shared request/response pieces of the Braze API, for validation and OpenAPI. */

export const UserAlias = z
  .object({ alias_name: z.string().min(1).max(255), alias_label: z.string().min(1).max(255) })
  .strict()
  .meta({ id: 'UserAlias' });
export type UserAlias = z.infer<typeof UserAlias>;

export const PrioritizationList = z
  .array(z.enum(['identified', 'unidentified', 'most_recently_updated', 'least_recently_updated']))
  .min(1)
  .refine((p) => !(p.includes('identified') && p.includes('unidentified')), {
    message: "'identified' and 'unidentified' cannot both be used",
  });

export const ExternalId = z.string().min(1).max(512);

/** Braze's `send_id`: ASCII, at most 64 characters (contract §1.3). */
export const SendId = z
  .string({ error: 'send_id must be a string' })
  .min(1, 'send_id cannot be blank')
  .max(64, 'send_id must be at most 64 characters')
  .regex(/^[\x20-\x7e]+$/, 'send_id must be ASCII');

/** A newest-first listing (dead letters): `limit` rows older than `before` (epoch ms). */
export const NewestFirstPage = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be 1..500')
    .max(500, 'limit must be 1..500')
    .default(100),
  before: z.coerce
    .number({ error: 'before must be epoch milliseconds' })
    .int('before must be epoch milliseconds')
    .optional(),
});
