/**
 * The normalised form of a `/users/track` request after validation. The HTTP layer produces it
 * from raw JSON (src/ingestion/validate-*.ts); the `UserProfile` Durable Object applies it.
 * Everything here is plain data so it crosses the RPC boundary unchanged.
 */

/** A JSON value as stored on a profile. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A scalar that may live inside an array attribute. */
export type Scalar = string | number | boolean;

/** How a request object names its profile (contract §2.1). */
export type Identifier =
  | { kind: 'external_id'; value: string }
  | { kind: 'braze_id'; value: string }
  | { kind: 'user_alias'; label: string; name: string }
  | { kind: 'email'; value: string }
  | { kind: 'phone'; value: string };

/** Data type of a custom attribute, as the `/custom_attributes` catalogue names them. */
export type AttrType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'time'
  | 'array'
  | 'object'
  | 'object_array';

/** One change to a custom attribute. Times are ISO-8601 UTC strings (`toISOString()`). */
export type CustomAttrOp =
  | { op: 'set'; key: string; type: AttrType; value: Json }
  | { op: 'unset'; key: string }
  | { op: 'inc'; key: string; by: number }
  | { op: 'array'; key: string; add: Scalar[]; remove: Scalar[] }
  /** `_merge_objects: true` with an object value: deep-merge into the stored object. */
  | { op: 'merge_object'; key: string; value: { [key: string]: Json } }
  | {
      op: 'object_array';
      key: string;
      remove: { idKey: string; idValue: Json }[];
      update: { idKey: string; idValue: Json; patch: { [key: string]: Json } }[];
      add: { [key: string]: Json }[];
      /** `_merge_objects` was true: `$update` deep-merges; otherwise it replaces. */
      merge: boolean;
    };

/** Standard (reserved) profile fields a request may set; `null` removes the value. */
export interface StandardFields {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  /** `YYYY-MM-DD`. */
  dob?: string | null;
  /** ISO-3166-1 alpha-2, or null when unmappable. */
  country?: string | null;
  home_city?: string | null;
  /** ISO-639-1. */
  language?: string | null;
  gender?: 'M' | 'F' | 'O' | 'N' | 'P' | null;
  /** IANA name, or a Rails-style name as sent (both accepted; stored as sent). */
  time_zone?: string | null;
  email_subscribe?: 'opted_in' | 'subscribed' | 'unsubscribed';
  push_subscribe?: 'opted_in' | 'subscribed' | 'unsubscribed';
  email_open_tracking_disabled?: boolean;
  email_click_tracking_disabled?: boolean;
  current_location?: { longitude: number; latitude: number } | null;
  /** ISO-8601 UTC. */
  date_of_first_session?: string | null;
  date_of_last_session?: string | null;
  marked_email_as_spam_at?: string | null;
  facebook?: { id?: string; likes?: string[]; num_friends?: number } | null;
  twitter?: {
    id?: number;
    screen_name?: string;
    followers_count?: number;
    friends_count?: number;
    statuses_count?: number;
  } | null;
}

export interface PushTokenInput {
  app_id: string;
  token: string;
  device_id?: string;
}

export interface SubscriptionGroupInput {
  subscription_group_id: string;
  subscription_state: 'subscribed' | 'unsubscribed';
}

/** Common to every validated object: where it came from and how it finds its profile. */
interface ObjectBase {
  /** Index of the object inside its request array. */
  index: number;
  identifier: Identifier;
  /** True: never create a profile for this object (alias and braze_id objects default to true). */
  updateExistingOnly: boolean;
  /**
   * The client's own id for this object (SDK batches): the profile applies an id once, so a
   * retried batch never counts twice. Absent for `/users/track`.
   */
  clientId?: string;
}

/** A session start or end reported by an SDK (src/sdk). */
export interface SessionInput extends ObjectBase {
  kind: 'start' | 'end';
  sessionId: string;
  appId: string;
  /** Epoch ms. */
  time: number;
  /** End only: the session's length in seconds. */
  durationS?: number;
}

export interface AttributesInput extends ObjectBase {
  pushTokenImport: boolean;
  standard: StandardFields;
  pushTokens: PushTokenInput[];
  subscriptionGroups: SubscriptionGroupInput[];
  custom: CustomAttrOp[];
}

export interface EventInput extends ObjectBase {
  name: string;
  /** Epoch milliseconds, clamped to now when in the future. */
  time: number;
  appId: string | null;
  properties: { [key: string]: Json };
}

export interface PurchaseInput extends ObjectBase {
  productId: string;
  /** ISO 4217, upper case. */
  currency: string;
  price: number;
  /** 1..100. */
  quantity: number;
  time: number;
  appId: string | null;
  properties: { [key: string]: Json };
}

/** A non-fatal error naming one rejected object (contract §9.2 proposal). */
export interface TrackError {
  type: string;
  input_array: 'attributes' | 'events' | 'purchases' | 'sessions';
  index: number;
  message: string;
}

/** Per-workspace ingestion settings that change validation (contract §1.7, §9.1). */
export interface IngestionLimits {
  /** `per_array_75` (default), `combined_75` or `combined_50`. */
  capMode: 'per_array_75' | 'combined_75' | 'combined_50';
}

export type TrackValidation =
  | { type: 'fatal'; status: 400; message: string; errors: TrackError[] }
  | {
      type: 'ok';
      attributes: AttributesInput[];
      events: EventInput[];
      purchases: PurchaseInput[];
      errors: TrackError[];
      /** How many objects each array held, valid or not. */
      counts: { attributes: number; events: number; purchases: number };
    };
