/**
 * How a `/users/track` object names its profile (contract §2.1, §9.2), plus the small result
 * types the object validators share.
 */
import type { Identifier } from './types';

/** Why one object (or one attribute of it) was refused; becomes a `TrackError`. */
export interface Problem {
  type: string;
  message: string;
}

/** A validated value, or the problem that rejects the whole object. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/** Wraps a value as a successful `Checked`. */
export function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

/** Wraps a problem as a failed `Checked`. */
export function fail<T>(type: string, message: string): Checked<T> {
  return { ok: false, problem: { type, message } };
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Braze documents no maximum for external_id; 512 matches what its SDKs accept and leaves room for
// namespaced ids. Alias parts, emails and phones follow the 255-character string rule (§8.3).
export const MAX_EXTERNAL_ID = 512;
export const MAX_BRAZE_ID = 512;
export const MAX_ALIAS_PART = 255;
export const MAX_EMAIL = 255;
export const MAX_PHONE = 255;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** True when `s` has the `local@domain` shape required of an email identifier or field. */
export function looksLikeEmail(s: string): boolean {
  return EMAIL.test(s);
}

/** The identifier keys, in the order that decides which one finds the profile (§9.2). */
export const IDENTIFIER_KEYS = ['external_id', 'braze_id', 'user_alias', 'email', 'phone'] as const;

/**
 * Picks the identifier of a request object by precedence external_id > braze_id > user_alias >
 * email > phone. A present but malformed higher-ranked identifier rejects the object rather than
 * silently falling back, so a typo never writes to a different profile. `email`/`phone` set to
 * null are field removals, not identifiers.
 */
export function resolveIdentifier(obj: Record<string, unknown>): Checked<Identifier> {
  if (obj.external_id !== undefined) {
    const value = checkIdString(obj.external_id, 'external_id', MAX_EXTERNAL_ID);
    return value.ok ? ok({ kind: 'external_id', value: value.value }) : value;
  }
  if (obj.braze_id !== undefined) {
    const value = checkIdString(obj.braze_id, 'braze_id', MAX_BRAZE_ID);
    return value.ok ? ok({ kind: 'braze_id', value: value.value }) : value;
  }
  if (obj.user_alias !== undefined) return resolveAlias(obj.user_alias);
  if (obj.email !== undefined && obj.email !== null) {
    const value = checkIdString(obj.email, 'email', MAX_EMAIL);
    if (!value.ok) return value;
    if (!looksLikeEmail(value.value)) {
      return fail('invalid_identifier', 'email must be a valid email address');
    }
    return ok({ kind: 'email', value: value.value });
  }
  if (obj.phone !== undefined && obj.phone !== null) {
    const value = checkIdString(obj.phone, 'phone', MAX_PHONE);
    return value.ok ? ok({ kind: 'phone', value: value.value }) : value;
  }
  return fail(
    'missing_identifier',
    'Object must include one of external_id, braze_id, user_alias, email or phone',
  );
}

/**
 * `_update_existing_only`: an explicit boolean wins; otherwise alias and braze_id objects only
 * update (§2.2, §9.1 item 3) and the other identifiers may create a profile.
 */
export function resolveUpdateExistingOnly(
  obj: Record<string, unknown>,
  identifier: Identifier,
): Checked<boolean> {
  const explicit = obj._update_existing_only;
  if (explicit === undefined) {
    return ok(identifier.kind === 'user_alias' || identifier.kind === 'braze_id');
  }
  if (typeof explicit !== 'boolean') {
    return fail('invalid_field', '_update_existing_only must be a boolean');
  }
  return ok(explicit);
}

function resolveAlias(alias: unknown): Checked<Identifier> {
  if (!isRecord(alias)) {
    return fail(
      'invalid_identifier',
      'user_alias must be an object with alias_name and alias_label',
    );
  }
  const name = checkIdString(alias.alias_name, 'user_alias.alias_name', MAX_ALIAS_PART);
  if (!name.ok) return name;
  const label = checkIdString(alias.alias_label, 'user_alias.alias_label', MAX_ALIAS_PART);
  if (!label.ok) return label;
  return ok({ kind: 'user_alias', name: name.value, label: label.value });
}

// Blank strings are refused too: "   " can only be a client bug, never a real id.
function checkIdString(value: unknown, name: string, max: number): Checked<string> {
  if (typeof value !== 'string' || value.trim().length === 0) {
    return fail('invalid_identifier', `${name} must be a non-empty string`);
  }
  if (value.length > max) {
    return fail('invalid_identifier', `${name} must be at most ${max} characters`);
  }
  return ok(value);
}
