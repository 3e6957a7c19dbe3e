import { z } from 'zod';
import { checkTemplate } from '../personalization/render';

/** Request and storage pieces shared by the Content Block and email template endpoints. */

/** Braze: "Tags must already exist". Herald has no tag registry, so any strings are accepted. */
export const Tags = z.array(z.string({ error: 'All tags must be strings' }), {
  error: 'Tags must be an array',
});

// Tags live in a JSON text column: parsed on the way out, as everything read back from D1 is.
const StoredTags = z.array(z.string());

/** The tags column as an array; a corrupt column is a bug and throws. */
export function readTags(column: string): string[] {
  return StoredTags.parse(JSON.parse(column));
}

/** Epoch milliseconds as the ISO 8601 string Braze answers with. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A required string: Braze tells a missing field ("blank") apart from one of the wrong type. */
export function requiredString(blank: string, notString: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? blank : notString) })
    .refine((s) => s.trim().length > 0, blank);
}

/** True when a D1 error (possibly wrapped by drizzle) is a unique-index violation. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Refuse text that Herald's Liquid engine cannot parse, as Braze refuses to save broken Liquid:
 * a template that saves will at least compile at send time.
 */
export function validLiquid<T extends z.ZodType<string>>(schema: T, field: string) {
  return schema.superRefine((text, ctx) => {
    const check = checkTemplate(text);
    if (!check.ok)
      ctx.addIssue({ code: 'custom', message: `${field} has invalid Liquid: ${check.error}` });
  });
}
