/**
 * The user attributes object of `/users/track` (contract §2.2.1): identifier, flags, standard
 * profile fields, push tokens, subscription groups; custom attributes are delegated.
 */
import { toCountryCode } from '../lib/country';
import { normalizeLanguage } from '../lib/language';
import { isValidTimeZone } from '../lib/time-zone';
import {
  type Checked,
  fail,
  isRecord,
  looksLikeEmail,
  ok,
  type Problem,
  resolveIdentifier,
  resolveUpdateExistingOnly,
} from './identifier';
import { parseBrazeTime } from './time';
import type {
  AttributesInput,
  CustomAttrOp,
  PushTokenInput,
  StandardFields,
  SubscriptionGroupInput,
} from './types';
import { validateCustomAttribute } from './validate-custom-attributes';
import { MAX_STRING_LENGTH } from './validate-properties';

/** A validated attributes object plus the nested-attribute updates it had to drop. */
export interface AttributesOutcome {
  value: AttributesInput;
  dropped: Problem[];
}

// Request flags and identifier-only keys: never profile fields, never custom attributes.
// `alias_name`/`alias_label` are listed as profile fields by Braze but only mean something inside
// `user_alias`; storing them as custom attributes would shadow that meaning.
const NOT_ATTRIBUTES = new Set([
  '_update_existing_only',
  'push_token_import',
  '_merge_objects',
  'external_id',
  'braze_id',
  'user_alias',
  'alias_name',
  'alias_label',
]);

const SUBSCRIBE_STATES = ['opted_in', 'subscribed', 'unsubscribed'] as const;
const GENDERS = ['M', 'F', 'O', 'N', 'P'] as const;

/** Sentinel for a value Braze ignores silently (invalid `language` or `time_zone`). */
const IGNORE = Symbol('ignore');
type FieldResult = Checked<StandardFields | typeof IGNORE>;
type FieldHandler = (value: unknown, key: string) => FieldResult;

/** Validates one element of the `attributes` array. */
export function validateAttributes(raw: unknown, index: number): Checked<AttributesOutcome> {
  if (!isRecord(raw)) return fail('invalid_object', 'Each element must be a JSON object');
  const identifier = resolveIdentifier(raw);
  if (!identifier.ok) return identifier;
  const updateExistingOnly = resolveUpdateExistingOnly(raw, identifier.value);
  if (!updateExistingOnly.ok) return updateExistingOnly;
  const pushTokenImport = optionalBoolean(raw.push_token_import, 'push_token_import');
  if (!pushTokenImport.ok) return pushTokenImport;
  const merge = optionalBoolean(raw._merge_objects, '_merge_objects');
  if (!merge.ok) return merge;
  if (pushTokenImport.value && (raw.external_id !== undefined || raw.braze_id !== undefined)) {
    return fail(
      'invalid_push_token_import',
      'push_token_import objects must not include external_id or braze_id',
    );
  }

  const out: AttributesInput = {
    index,
    identifier: identifier.value,
    updateExistingOnly: updateExistingOnly.value,
    pushTokenImport: pushTokenImport.value,
    standard: {},
    pushTokens: [],
    subscriptionGroups: [],
    custom: [],
  };
  const dropped: Problem[] = [];
  const customOps: CustomAttrOp[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (NOT_ATTRIBUTES.has(key)) continue;
    // The identifier that finds the profile is not also written as a field.
    if (key === identifier.value.kind) continue;
    if (key === 'push_tokens') {
      const tokens = validatePushTokens(value);
      if (!tokens.ok) return tokens;
      out.pushTokens = tokens.value;
      continue;
    }
    if (key === 'subscription_groups') {
      const groups = validateSubscriptionGroups(value);
      if (!groups.ok) return groups;
      out.subscriptionGroups = groups.value;
      continue;
    }
    const handler = Object.hasOwn(STANDARD_FIELDS, key) ? STANDARD_FIELDS[key] : undefined;
    if (handler) {
      const field = handler(value, key);
      if (!field.ok) return field;
      if (field.value !== IGNORE) Object.assign(out.standard, field.value);
      continue;
    }
    const custom = validateCustomAttribute(key, value, { merge: merge.value });
    if (!custom.ok) return custom;
    if (custom.value.kind === 'op') customOps.push(custom.value.op);
    else dropped.push(custom.value.problem);
  }
  out.custom = customOps;
  if (pushTokenImport.value && out.pushTokens.length === 0) {
    return fail('invalid_push_token_import', 'push_token_import objects must include push_tokens');
  }
  return ok({ value: out, dropped });
}

function optionalBoolean(value: unknown, key: string): Checked<boolean> {
  if (value === undefined) return ok(false);
  return typeof value === 'boolean' ? ok(value) : fail('invalid_field', `${key} must be a boolean`);
}

// Each handler sees a value that is present in the request; `null` removes the field where the
// type allows it.
const STANDARD_FIELDS: Record<string, FieldHandler> = {
  first_name: nullableString,
  last_name: nullableString,
  home_city: nullableString,
  email: (value, key) => {
    if (value === null) return ok({ email: null });
    if (typeof value !== 'string' || !looksLikeEmail(value) || value.length > MAX_STRING_LENGTH) {
      return fail('invalid_field', `${key} must be a valid email address or null`);
    }
    return ok({ email: value });
  },
  phone: (value, key) => {
    if (value === null) return ok({ phone: null });
    if (typeof value !== 'string' || value.trim().length === 0) {
      return fail('invalid_field', `${key} must be a non-empty string or null`);
    }
    return tooLong(value, key) ?? ok({ phone: value });
  },
  dob: (value, key) => {
    if (value === null) return ok({ dob: null });
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !parseBrazeTime(value)) {
      return fail('invalid_field', `${key} must be a date in YYYY-MM-DD format or null`);
    }
    return ok({ dob: value });
  },
  country: (value, key) => {
    if (value === null) return ok({ country: null });
    if (typeof value !== 'string') return fail('invalid_field', `${key} must be a string or null`);
    // Unmappable names are stored as null rather than refused (§2.2.1).
    return ok({ country: toCountryCode(value) });
  },
  language: (value, key) => {
    if (value === null) return ok({ language: null });
    if (typeof value !== 'string') return fail('invalid_field', `${key} must be a string or null`);
    const language = normalizeLanguage(value);
    return ok(language === null ? IGNORE : { language });
  },
  time_zone: (value, key) => {
    if (value === null) return ok({ time_zone: null });
    if (typeof value !== 'string') return fail('invalid_field', `${key} must be a string or null`);
    // Invalid zones are ignored, not refused (§2.2.1); stored as sent, Rails names included.
    return ok(isValidTimeZone(value) ? { time_zone: value } : IGNORE);
  },
  gender: (value, key) => {
    if (value === null) return ok({ gender: null });
    const gender = GENDERS.find((g) => g === value);
    if (!gender) return fail('invalid_field', `${key} must be one of M, F, O, N, P or null`);
    return ok({ gender });
  },
  email_subscribe: (value, key) => {
    const state = SUBSCRIBE_STATES.find((s) => s === value);
    return state ? ok({ email_subscribe: state }) : fail('invalid_field', subscribeMessage(key));
  },
  push_subscribe: (value, key) => {
    const state = SUBSCRIBE_STATES.find((s) => s === value);
    return state ? ok({ push_subscribe: state }) : fail('invalid_field', subscribeMessage(key));
  },
  email_open_tracking_disabled: (value, key) =>
    typeof value === 'boolean'
      ? ok({ email_open_tracking_disabled: value })
      : fail('invalid_field', `${key} must be a boolean`),
  email_click_tracking_disabled: (value, key) =>
    typeof value === 'boolean'
      ? ok({ email_click_tracking_disabled: value })
      : fail('invalid_field', `${key} must be a boolean`),
  current_location: currentLocation,
  date_of_first_session: dateField,
  date_of_last_session: dateField,
  marked_email_as_spam_at: dateField,
  facebook: facebook,
  twitter: twitter,
};

function subscribeMessage(key: string): string {
  return `${key} must be one of opted_in, subscribed or unsubscribed`;
}

function tooLong(value: string, key: string): Checked<never> | null {
  if (value.length <= MAX_STRING_LENGTH) return null;
  return fail('string_too_long', `${key} must be at most ${MAX_STRING_LENGTH} characters`);
}

function nullableString(value: unknown, key: string): FieldResult {
  if (value !== null && typeof value !== 'string') {
    return fail('invalid_field', `${key} must be a string or null`);
  }
  if (typeof value === 'string') {
    const problem = tooLong(value, key);
    if (problem) return problem;
  }
  // Only first_name, last_name and home_city route here, all `string | null`.
  return ok({ [key]: value } as StandardFields);
}

function dateField(value: unknown, key: string): FieldResult {
  if (value === null) return ok({ [key]: null } as StandardFields);
  if (typeof value !== 'string') {
    return fail('invalid_field', `${key} must be a date string or null`);
  }
  const date = parseBrazeTime(value);
  if (!date) return fail('invalid_time', `${key} is not a recognised date format`);
  return ok({ [key]: date.toISOString() } as StandardFields);
}

function currentLocation(value: unknown, key: string): FieldResult {
  if (value === null) return ok({ current_location: null });
  const message = `${key} must be an object with longitude (-180 to 180) and latitude (-90 to 90)`;
  if (!isRecord(value)) return fail('invalid_field', message);
  const { longitude, latitude } = value;
  if (typeof longitude !== 'number' || typeof latitude !== 'number') {
    return fail('invalid_field', message);
  }
  if (!(Math.abs(longitude) <= 180 && Math.abs(latitude) <= 90)) {
    return fail('invalid_field', message);
  }
  return ok({ current_location: { longitude, latitude } });
}

function facebook(value: unknown, key: string): FieldResult {
  if (value === null) return ok({ facebook: null });
  if (!isRecord(value)) return fail('invalid_field', `${key} must be an object or null`);
  const out: NonNullable<StandardFields['facebook']> = {};
  if (value.id !== undefined) {
    if (typeof value.id !== 'string') return fail('invalid_field', `${key}.id must be a string`);
    out.id = value.id;
  }
  if (value.likes !== undefined) {
    const likes = value.likes;
    if (!Array.isArray(likes) || !likes.every((l): l is string => typeof l === 'string')) {
      return fail('invalid_field', `${key}.likes must be an array of strings`);
    }
    out.likes = likes;
  }
  if (value.num_friends !== undefined) {
    if (!isCount(value.num_friends)) {
      return fail('invalid_field', `${key}.num_friends must be a non-negative integer`);
    }
    out.num_friends = value.num_friends;
  }
  return ok({ facebook: out });
}

const TWITTER_COUNTS = ['followers_count', 'friends_count', 'statuses_count'] as const;

function twitter(value: unknown, key: string): FieldResult {
  if (value === null) return ok({ twitter: null });
  if (!isRecord(value)) return fail('invalid_field', `${key} must be an object or null`);
  const out: NonNullable<StandardFields['twitter']> = {};
  if (value.id !== undefined) {
    if (!isCount(value.id)) return fail('invalid_field', `${key}.id must be an integer`);
    out.id = value.id;
  }
  if (value.screen_name !== undefined) {
    if (typeof value.screen_name !== 'string') {
      return fail('invalid_field', `${key}.screen_name must be a string`);
    }
    out.screen_name = value.screen_name;
  }
  for (const count of TWITTER_COUNTS) {
    const n = value[count];
    if (n === undefined) continue;
    if (!isCount(n)) return fail('invalid_field', `${key}.${count} must be a non-negative integer`);
    out[count] = n;
  }
  return ok({ twitter: out });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function validatePushTokens(value: unknown): Checked<PushTokenInput[]> {
  if (!Array.isArray(value)) return fail('invalid_field', 'push_tokens must be an array');
  const tokens: PushTokenInput[] = [];
  for (const [i, item] of value.entries()) {
    const path = `push_tokens[${i}]`;
    if (!isRecord(item)) return fail('invalid_field', `${path} must be an object`);
    const { app_id: appId, token, device_id: deviceId } = item;
    if (typeof appId !== 'string' || appId.length === 0) {
      return fail('invalid_field', `${path}.app_id must be a non-empty string`);
    }
    if (typeof token !== 'string' || token.length === 0) {
      return fail('invalid_field', `${path}.token must be a non-empty string`);
    }
    if (deviceId !== undefined && deviceId !== null && typeof deviceId !== 'string') {
      return fail('invalid_field', `${path}.device_id must be a string`);
    }
    tokens.push(
      typeof deviceId === 'string' && deviceId.length > 0
        ? { app_id: appId, token, device_id: deviceId }
        : { app_id: appId, token },
    );
  }
  return ok(tokens);
}

function validateSubscriptionGroups(value: unknown): Checked<SubscriptionGroupInput[]> {
  if (!Array.isArray(value)) return fail('invalid_field', 'subscription_groups must be an array');
  const groups: SubscriptionGroupInput[] = [];
  for (const [i, item] of value.entries()) {
    const path = `subscription_groups[${i}]`;
    if (!isRecord(item)) return fail('invalid_field', `${path} must be an object`);
    const id = item.subscription_group_id;
    if (typeof id !== 'string' || id.length === 0) {
      return fail('invalid_field', `${path}.subscription_group_id must be a non-empty string`);
    }
    const state = item.subscription_state;
    if (state !== 'subscribed' && state !== 'unsubscribed') {
      return fail('invalid_field', `${path}.subscription_state must be subscribed or unsubscribed`);
    }
    groups.push({ subscription_group_id: id, subscription_state: state });
  }
  return ok(groups);
}
