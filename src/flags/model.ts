import { z } from 'zod';

/**
 * Feature flags as the management API accepts them (messaging spec §7.1): an immutable id, a
 * name, typed properties (≤ 10 KB in all; keys and string values ≤ 255 characters), rollout rules
 * evaluated top-down (a segment and a percentage each) and the final "Everyone Else" rule.
 */

export const MAX_PROPERTIES_BYTES = 10_240;
export const MAX_RULES = 20;
/** Braze's paid-tier limit of active flags per workspace. */
export const MAX_ACTIVE_FLAGS = 110;

const percentage = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be at least 0')
  .max(100, 'must be at most 100');

const short = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .max(255, `${what} must be at most 255 characters`);

const Property = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('string'), value: short('value') }),
    z.strictObject({
      type: z.literal('number'),
      value: z.number({ error: 'value must be a number' }),
    }),
    z.strictObject({
      type: z.literal('boolean'),
      value: z.boolean({ error: 'value must be a boolean' }),
    }),
    z.strictObject({
      type: z.literal('image'),
      value: short('value').regex(/^https?:\/\/\S+$/i, 'value must be an http(s) URL'),
    }),
    z.strictObject({
      type: z.literal('timestamp'),
      // Epoch milliseconds, as the SDK exposes them; ISO-8601 is accepted and converted.
      value: z.union([
        z.number({ error: 'value must be epoch milliseconds' }).int(),
        z.iso.datetime({ offset: true, error: 'value must be an ISO-8601 time' }),
      ]),
    }),
    z.strictObject({
      type: z.literal('jsonobject'),
      value: z.record(z.string(), z.json(), { error: 'value must be a JSON object' }),
    }),
  ],
  { error: 'type must be string, number, boolean, image, timestamp or jsonobject' },
);
export type FlagProperty = z.infer<typeof Property>;

export const FlagInput = z
  .strictObject({
    id: z
      .string({ error: 'id must be a string' })
      .regex(/^[A-Za-z0-9_.-]{1,255}$/, 'id must be 1–255 letters, digits, "_", "." or "-"'),
    name: z.string({ error: 'name must be a string' }).min(1, 'name must not be empty').max(255),
    description: z.string({ error: 'description must be a string' }).max(1_000).nullish(),
    properties: z
      .record(
        z.string().min(1, 'property keys must not be empty').max(255, 'property keys ≤ 255'),
        Property,
      )
      .default({}),
    rules: z
      .array(
        z.strictObject({
          segment_id: z.string({ error: 'segment_id must be a string' }).min(1).max(128),
          rollout_percentage: percentage,
        }),
      )
      .max(MAX_RULES, `at most ${MAX_RULES} rules`)
      .default([]),
    everyone_else: z
      .strictObject({ enabled: z.boolean(), rollout_percentage: percentage })
      .default({ enabled: false, rollout_percentage: 0 }),
  })
  .superRefine((flag, ctx) => {
    const bytes = new TextEncoder().encode(JSON.stringify(flag.properties)).length;
    if (bytes > MAX_PROPERTIES_BYTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['properties'],
        message: `properties must be at most 10 KB in all (got ${bytes} bytes)`,
      });
    }
  });
export type FlagInput = z.infer<typeof FlagInput>;

/** A flag as evaluation reads it. */
export interface FlagDefinition {
  id: string;
  properties: Record<string, FlagProperty>;
  rules: { segmentId: string; rollout: number }[];
  everyoneElse: { enabled: boolean; rollout: number };
}

/** Whether a flag can turn on for anyone (what Braze counts as active). */
export function isActive(f: Pick<FlagDefinition, 'rules' | 'everyoneElse'>): boolean {
  return (
    f.rules.some((r) => r.rollout > 0) || (f.everyoneElse.enabled && f.everyoneElse.rollout > 0)
  );
}

/** Timestamps are stored as epoch ms whichever way they were given. */
export function normalizeProperties(
  properties: FlagInput['properties'],
): Record<string, FlagProperty> {
  const out: Record<string, FlagProperty> = {};
  for (const [key, p] of Object.entries(properties)) {
    out[key] =
      p.type === 'timestamp' && typeof p.value === 'string'
        ? { type: 'timestamp', value: Date.parse(p.value) }
        : p;
  }
  return out;
}
