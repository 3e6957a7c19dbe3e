import { z } from 'zod';
import { parseBrazeTime } from '../ingestion/time';

/** The paging and time window shared by `/content_blocks/list` and `/templates/email/list`. */
export interface ListWindow {
  /** Epoch ms, inclusive. */
  modifiedAfter?: number;
  /** Epoch ms, inclusive. */
  modifiedBefore?: number;
  limit: number;
  offset: number;
}

// Braze's examples send `2020-01-01T01:01:01.000000`: microseconds and no zone (read as UTC),
// which `parseBrazeTime` accepts along with every other form Braze takes for a time.
function time(invalid: string) {
  return z
    .string()
    .optional()
    .refine((s) => s === undefined || parseBrazeTime(s) !== null, invalid)
    .transform((s) => (s === undefined ? undefined : parseBrazeTime(s)!.getTime()))
    .meta({ description: 'ISO 8601; without a zone, UTC. Inclusive.' });
}

/**
 * The list query with Braze's error texts; `noun` is how they name the listed objects
 * ("Content Block number limit is invalid").
 */
export function listQuery(noun: string) {
  return z
    .object({
      modified_after: time('Modified after time is invalid'),
      modified_before: time('Modified before time is invalid'),
      limit: z.coerce
        .number({ error: `${noun} number limit is invalid` })
        .int(`${noun} number limit is invalid`)
        .min(1, `${noun} number limit must be greater than 0`)
        .max(1000, `${noun} number limit exceeds maximum of 1000`)
        .default(100),
      offset: z.coerce
        .number({ error: 'Offset is invalid' })
        .int('Offset is invalid')
        .min(0, 'Offset must not be negative')
        .default(0),
    })
    .refine(
      (q) =>
        q.modified_after === undefined ||
        q.modified_before === undefined ||
        q.modified_after <= q.modified_before,
      {
        message: 'Modified after time must be earlier than or the same as modified before time.',
        path: ['modified_after'],
      },
    )
    .transform(
      (q): ListWindow => ({
        modifiedAfter: q.modified_after,
        modifiedBefore: q.modified_before,
        limit: q.limit,
        offset: q.offset,
      }),
    );
}
