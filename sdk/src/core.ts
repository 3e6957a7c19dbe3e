/**
 * The Web SDK's core: sessions, users, attributes, custom events and purchases sent to Herald's
 * edge in batches (docs/sdk-protocol.md), an offline queue that survives reloads, retries with
 * backoff, and feature flags. Braze-like names, so moving an app over is mostly a rename.
 *
 *   import * as herald from './herald-sdk.js';
 *   herald.initialize('<app key>', { baseUrl: 'https://herald.example.com' });
 *   herald.changeUser('user-42');
 *   herald.logCustomEvent('viewed_item', { sku: 'A1' });
 */

export const VERSION = '0.1.0';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type User = { external_id: string } | { anonymous_id: string };

export interface Item {
  id: string;
  user: User;
  time: number;
  type: string;
  [field: string]: unknown;
}

/** Where the SDK keeps its queue and ids: `localStorage` in a browser. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Options {
  /** Herald's origin, e.g. `https://herald.example.com`. */
  baseUrl: string;
  /** Seconds between automatic flushes (default 10). */
  flushIntervalSeconds?: number;
  /** Minutes of inactivity that end a session (default 30, as Braze's Web SDK). */
  sessionTimeoutMinutes?: number;
  /** Start a session at initialize (default true). */
  openSessionAutomatically?: boolean;
  /** Seconds between two triggered in-app messages (default 30, as Braze's). */
  minimumIntervalBetweenTriggerActionsInSeconds?: number;
  /** Where the site serves herald-sw.js (default `/herald-sw.js`); see docs/web-sdk.md. */
  serviceWorkerLocation?: string;
  /** The workspace's Web Push `vapid_public_key` (base64url), for `requestPushPermission`. */
  vapidPublicKey?: string;
  /**
   * Send the signed user token (`changeUser(id, token)` / `setSdkAuthenticationSignature`) with
   * every request, for apps that require SDK authentication (docs/sdk-protocol.md).
   */
  enableSdkAuthentication?: boolean;
  storage?: KeyValueStorage;
  fetch?: typeof fetch;
}

export type FlagProperty =
  | { type: 'string' | 'image'; value: string }
  | { type: 'number' | 'timestamp'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'jsonobject'; value: { [key: string]: Json } };

export interface FeatureFlag {
  id: string;
  enabled: boolean;
  properties: Record<string, FlagProperty>;
  getStringProperty(key: string): string | null;
  getNumberProperty(key: string): number | null;
  getBooleanProperty(key: string): boolean | null;
  getTimestampProperty(key: string): number | null;
  getImageProperty(key: string): string | null;
  getJsonProperty(key: string): { [key: string]: Json } | null;
}

/** The most items sent in one request (the protocol allows 100). */
const BATCH = 50;
/** Queued items kept at most; the oldest are dropped beyond this. */
const MAX_QUEUE = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Manual flag refreshes are rate-limited to one per 5 minutes, as Braze's. */
const FLAG_REFRESH_MS = 5 * 60_000;

export interface State {
  appKey: string;
  options: Required<
    Pick<
      Options,
      'baseUrl' | 'flushIntervalSeconds' | 'sessionTimeoutMinutes' | 'openSessionAutomatically'
    >
  >;
  raw: Options;
  storage: KeyValueStorage;
  fetch: typeof fetch;
  timer: ReturnType<typeof setInterval> | null;
  flushing: Promise<void> | null;
  failures: number;
  /** A request was refused for its SDK authentication token: wait for a new one. */
  authBlocked: boolean;
  authListeners: Set<(error: SdkAuthenticationError) => void>;
  retryAt: number;
  flags: FeatureFlag[];
  flagsEtag: string | null;
  flagsFetchedAt: number;
  flagListeners: Set<(flags: FeatureFlag[]) => void>;
}

let state: State | null = null;

/** A custom event or purchase as in-app message triggers see it. */
export type TriggerEvent =
  | { type: 'session_start' }
  | { type: 'custom_event'; name: string; properties: Record<string, Json> }
  | { type: 'purchase'; product_id: string; properties: Record<string, Json> };

/**
 * What the other modules (cards, in-app messages, push) hook into: a session opened (`fresh`
 * when it is a new one, not one continued after a reload), the user changed, a trigger event
 * was logged, the SDK was torn down.
 */
export const hooks = {
  session: [] as ((s: State, fresh: boolean) => void)[],
  user: [] as ((s: State) => void)[],
  trigger: [] as ((s: State, e: TriggerEvent) => void)[],
  reset: [] as (() => void)[],
};

/** What the SDK uses of a browser, absent elsewhere (workers, Node, tests). */
const browser = globalThis as {
  localStorage?: KeyValueStorage;
  addEventListener?: (type: string, listener: () => void) => void;
};

function memoryStorage(): KeyValueStorage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

export function must(): State {
  if (!state) throw new Error('herald: call initialize(appKey, { baseUrl }) first');
  return state;
}

const key = (s: State, name: string) => `herald:${s.appKey}:${name}`;

export function read<T>(s: State, name: string, fallback: T): T {
  try {
    const raw = s.storage.getItem(key(s, name));
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

export function write(s: State, name: string, value: unknown): void {
  try {
    s.storage.setItem(key(s, name), JSON.stringify(value));
  } catch {
    // Storage full or blocked: the queue lives on in memory until the next write succeeds.
  }
}

export function uuid(): string {
  return crypto.randomUUID();
}

export function currentUser(s: State): User {
  const external = read<string | null>(s, 'external_id', null);
  if (external !== null) return { external_id: external };
  let anonymous = read<string | null>(s, 'anonymous_id', null);
  if (anonymous === null) {
    anonymous = uuid();
    write(s, 'anonymous_id', anonymous);
  }
  return { anonymous_id: anonymous };
}

export function enqueue(s: State, type: string, fields: Record<string, unknown>): void {
  touchSession(s);
  pushItem(s, { id: uuid(), user: currentUser(s), time: Date.now(), type, ...fields });
}

function pushItem(s: State, item: Item): void {
  const queue = read<Item[]>(s, 'queue', []);
  queue.push(item);
  write(s, 'queue', queue.slice(-MAX_QUEUE));
  if (queue.length >= BATCH) void flush(s);
}

// ---- Sessions ----

interface Session {
  id: string;
  started: number;
  last: number;
}

function touchSession(s: State): void {
  const session = read<Session | null>(s, 'session', null);
  const now = Date.now();
  if (session && now - session.last < s.options.sessionTimeoutMinutes * 60_000) {
    session.last = now;
    write(s, 'session', session);
  }
}

/**
 * Start a session unless one is live; a timed-out one is ended first (with its length). Either
 * way flags, content cards and in-app messages are fetched again.
 */
export function openSession(): void {
  const s = must();
  const now = Date.now();
  const session = read<Session | null>(s, 'session', null);
  if (session && now - session.last < s.options.sessionTimeoutMinutes * 60_000) {
    touchSession(s);
    // A page load continuing a session still syncs (cheap: the answers are ETag-validated).
    void refreshFlags(s, true);
    for (const hook of hooks.session) hook(s, false);
    return;
  }
  if (session) endSession(s, session);
  const fresh = { id: uuid(), started: now, last: now };
  write(s, 'session', fresh);
  pushItem(s, {
    id: uuid(),
    user: currentUser(s),
    time: now,
    type: 'session_start',
    session_id: fresh.id,
  });
  void refreshFlags(s, true);
  for (const hook of hooks.session) hook(s, true);
}

function endSession(s: State, session: Session): void {
  pushItem(s, {
    id: uuid(),
    user: currentUser(s),
    time: session.last,
    type: 'session_end',
    session_id: session.id,
    duration: Math.max(0, (session.last - session.started) / 1000),
  });
  s.storage.removeItem(key(s, 'session'));
}

// ---- Public API ----

export function initialize(appKey: string, options: Options): boolean {
  if (!appKey || !options?.baseUrl) return false;
  if (state?.timer) clearInterval(state.timer);
  state = {
    appKey,
    options: {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      flushIntervalSeconds: options.flushIntervalSeconds ?? 10,
      sessionTimeoutMinutes: options.sessionTimeoutMinutes ?? 30,
      openSessionAutomatically: options.openSessionAutomatically ?? true,
    },
    raw: options,
    storage: options.storage ?? browser.localStorage ?? memoryStorage(),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timer: null,
    flushing: null,
    failures: 0,
    authBlocked: false,
    authListeners: new Set(),
    retryAt: 0,
    flags: [],
    flagsEtag: null,
    flagsFetchedAt: 0,
    flagListeners: new Set(),
  };
  const s = state;
  s.flags = read<FeatureFlag[]>(s, 'flags', []).map(toFlag);
  if (s.options.flushIntervalSeconds > 0) {
    s.timer = setInterval(() => void flush(s), s.options.flushIntervalSeconds * 1000);
  }
  browser.addEventListener?.('pagehide', () => void flush(s, true));
  if (s.options.openSessionAutomatically) openSession();
  return true;
}

/**
 * Identify the user. From anonymous: the anonymous user becomes (or merges into) this external
 * id. From another identified user: a new session for a different user; nothing moves over.
 */
export function changeUser(externalId: string, sdkAuthSignature?: string): void {
  const s = must();
  if (!externalId) return;
  const user = currentUser(s);
  if (sdkAuthSignature) setSdkAuthenticationSignature(sdkAuthSignature);
  if ('external_id' in user && user.external_id === externalId) return;
  if (!sdkAuthSignature) s.storage.removeItem(key(s, 'sdk_auth'));
  if ('anonymous_id' in user) {
    pushItem(s, {
      id: uuid(),
      user,
      time: Date.now(),
      type: 'identify',
      anonymous_id: user.anonymous_id,
      external_id: externalId,
    });
    write(s, 'external_id', externalId);
  } else {
    const session = read<Session | null>(s, 'session', null);
    if (session) endSession(s, session);
    write(s, 'external_id', externalId);
    openSession();
  }
  s.flagsEtag = null;
  void refreshFlags(s, true);
  for (const hook of hooks.user) hook(s);
}

/** The current user's id: the external id, or null while anonymous. */
export function getUserId(): string | null {
  const user = currentUser(must());
  return 'external_id' in user ? user.external_id : null;
}

function setAttribute(name: string, value: Json): boolean {
  enqueue(must(), 'attributes', { attributes: { [name]: value } });
  return true;
}

const GENDERS = new Set(['M', 'F', 'O', 'N', 'P']);

/** Attribute setters for the current user. */
export function getUser() {
  return {
    getUserId,
    setFirstName: (v: string | null) => setAttribute('first_name', v),
    setLastName: (v: string | null) => setAttribute('last_name', v),
    setEmail: (v: string | null) => setAttribute('email', v),
    setPhoneNumber: (v: string | null) => setAttribute('phone', v),
    setCountry: (v: string | null) => setAttribute('country', v),
    setHomeCity: (v: string | null) => setAttribute('home_city', v),
    setLanguage: (v: string | null) => setAttribute('language', v),
    setGender: (v: string | null) =>
      v === null || GENDERS.has(v) ? setAttribute('gender', v) : false,
    setDateOfBirth: (year: number, month: number, day: number) =>
      setAttribute(
        'dob',
        `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      ),
    setEmailNotificationSubscriptionType: (v: 'opted_in' | 'subscribed' | 'unsubscribed') =>
      setAttribute('email_subscribe', v),
    setPushNotificationSubscriptionType: (v: 'opted_in' | 'subscribed' | 'unsubscribed') =>
      setAttribute('push_subscribe', v),
    setCustomUserAttribute: (name: string, value: Json | Date) =>
      setAttribute(name, value instanceof Date ? value.toISOString() : value),
    incrementCustomUserAttribute: (name: string, by = 1) => setAttribute(name, { inc: by }),
    addToCustomAttributeArray: (name: string, value: string) =>
      setAttribute(name, { add: [value] }),
    removeFromCustomAttributeArray: (name: string, value: string) =>
      setAttribute(name, { remove: [value] }),
  };
}

export function logCustomEvent(name: string, properties?: Record<string, Json>): boolean {
  if (typeof name !== 'string' || name === '') return false;
  const s = must();
  enqueue(s, 'event', { name, ...(properties ? { properties } : {}) });
  for (const hook of hooks.trigger) {
    hook(s, { type: 'custom_event', name, properties: properties ?? {} });
  }
  return true;
}

export function logPurchase(
  productId: string,
  price: number,
  currency = 'USD',
  quantity = 1,
  properties?: Record<string, Json>,
): boolean {
  if (!productId || !Number.isFinite(price)) return false;
  const s = must();
  enqueue(s, 'purchase', {
    product_id: productId,
    price,
    currency,
    quantity,
    ...(properties ? { properties } : {}),
  });
  for (const hook of hooks.trigger) {
    hook(s, { type: 'purchase', product_id: productId, properties: properties ?? {} });
  }
  return true;
}

/** Send everything queued now (resolves when the queue is empty or a send failed). */
export function requestImmediateDataFlush(): Promise<void> {
  const s = must();
  s.retryAt = 0;
  return flush(s);
}

export function flush(s: State, keepalive = false): Promise<void> {
  // One drain at a time; a call during one runs another after it, as the running one may have
  // read the queue before this call's items were added.
  if (s.flushing) return s.flushing.then(() => flush(s, keepalive));
  // Cleared in a later microtask, never synchronously: an empty queue finishes the drain before
  // `s.flushing` is even assigned, and clearing it first would leave a settled promise there,
  // making every later flush a no-op.
  const run: Promise<void> = drain(s, keepalive).finally(() => {
    if (s.flushing === run) s.flushing = null;
  });
  s.flushing = run;
  return run;
}

// ---- SDK authentication ----

export interface SdkAuthenticationError {
  signature: string | null;
  errorCode: number;
  errorMessage: string;
  userId: string | null;
}

/** The `Authorization` header for the current user's token, when SDK authentication is on. */
export function authHeaders(s: State): Record<string, string> {
  const token = s.raw.enableSdkAuthentication ? read<string | null>(s, 'sdk_auth', null) : null;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Whether Herald refused a request for its SDK authentication token (a 401 naming it, not an
 * unknown app key); tells the app's failure subscribers, who should fetch a new token.
 */
export async function authFailed(s: State, res: Response): Promise<boolean> {
  if (res.status !== 401) return false;
  const message = await res
    .clone()
    .json()
    .then((b) => (b as { message?: string }).message ?? '')
    .catch(() => '');
  if (!/SDK authentication/i.test(message)) return false;
  s.authBlocked = true;
  const user = currentUser(s);
  const error = {
    signature: read<string | null>(s, 'sdk_auth', null),
    errorCode: 401,
    errorMessage: message,
    userId: 'external_id' in user ? user.external_id : null,
  };
  for (const listener of s.authListeners) listener(error);
  return true;
}

/** The current user's signed token (from the app's server); queued items are sent with it. */
export function setSdkAuthenticationSignature(signature: string): boolean {
  const s = must();
  if (!signature) return false;
  write(s, 'sdk_auth', signature);
  s.authBlocked = false;
  void flush(s);
  return true;
}

/** Called when Herald refuses the token (missing, expired, another user's); returns an unsubscribe. */
export function subscribeToSdkAuthenticationFailures(
  listener: (error: SdkAuthenticationError) => void,
): () => void {
  const s = must();
  s.authListeners.add(listener);
  return () => s.authListeners.delete(listener);
}

async function drain(s: State, keepalive: boolean): Promise<void> {
  while (Date.now() >= s.retryAt && !s.authBlocked) {
    const queue = read<Item[]>(s, 'queue', []);
    if (queue.length === 0) return;
    const batch = queue.slice(0, BATCH);
    const outcome = await send(s, batch, keepalive);
    if (outcome === 'auth') return;
    if (outcome === 'retry') {
      s.failures++;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (s.failures - 1));
      s.retryAt = Date.now() + backoff * (0.5 + Math.random() / 2);
      return;
    }
    s.failures = 0;
    // Sent (or refused for good): drop exactly the items sent; newer ones stay queued.
    const sent = new Set(batch.map((i) => i.id));
    write(
      s,
      'queue',
      read<Item[]>(s, 'queue', []).filter((i) => !sent.has(i.id)),
    );
  }
}

async function send(
  s: State,
  items: Item[],
  keepalive: boolean,
): Promise<'done' | 'retry' | 'auth'> {
  try {
    // keepalive lets the last flush of a closing page finish (browsers; other runtimes ignore it).
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(s) },
      body: JSON.stringify({ app_key: s.appKey, sdk_version: VERSION, items }),
      keepalive,
    };
    const res = await s.fetch(`${s.options.baseUrl}/sdk/v1/batch`, init as RequestInit);
    // Refused for its token: kept until the app supplies a new one.
    if (await authFailed(s, res)) return 'auth';
    // 4xx will not improve with retries: the batch is dropped (the answer names why).
    return res.status >= 500 || res.status === 429 ? 'retry' : 'done';
  } catch {
    return 'retry';
  }
}

// ---- Feature flags ----

function toFlag(raw: {
  id: string;
  enabled: boolean;
  properties: Record<string, FlagProperty>;
}): FeatureFlag {
  const props = raw.enabled ? (raw.properties ?? {}) : {};
  const typed = <T>(k: string, types: string[]): T | null => {
    const p = props[k];
    return p && types.includes(p.type) ? (p.value as T) : null;
  };
  return {
    id: raw.id,
    enabled: raw.enabled,
    properties: props,
    getStringProperty: (k) => typed<string>(k, ['string']),
    getNumberProperty: (k) => typed<number>(k, ['number']),
    getBooleanProperty: (k) => typed<boolean>(k, ['boolean']),
    getTimestampProperty: (k) => typed<number>(k, ['timestamp']),
    getImageProperty: (k) => typed<string>(k, ['image']),
    getJsonProperty: (k) => typed<{ [key: string]: Json }>(k, ['jsonobject']),
  };
}

async function refreshFlags(s: State, automatic: boolean): Promise<void> {
  const now = Date.now();
  if (!automatic && now - s.flagsFetchedAt < FLAG_REFRESH_MS) return;
  s.flagsFetchedAt = now;
  // The user must exist before its flags can be evaluated: send what is queued first.
  await flush(s);
  const who = userQuery(s);
  const answer = await sync<{ feature_flags: Parameters<typeof toFlag>[0][] }>(
    s,
    'feature_flags',
    s.flagsEtag,
  );
  // An answer for the user before a changeUser is dropped (that call fetches its own).
  if (answer && Array.isArray(answer.body.feature_flags) && who === userQuery(s)) {
    const { body } = answer;
    s.flagsEtag = answer.etag;
    write(s, 'flags', body.feature_flags);
    s.flags = body.feature_flags.map(toFlag);
    for (const listener of s.flagListeners) listener(s.flags);
  }
}

/** The current user as sync endpoints take it: `app_key=…&external_id=…` or `&anonymous_id=…`. */
export function userQuery(s: State): string {
  const user = currentUser(s);
  const [k, v] = Object.entries(user)[0] as [string, string];
  return `app_key=${encodeURIComponent(s.appKey)}&${k}=${encodeURIComponent(v)}`;
}

/**
 * GET a sync endpoint (`/sdk/v1/<name>`) for the current user with `If-None-Match`; answers the
 * body and its ETag, or null when nothing changed (304), the request failed or we are offline.
 */
export async function sync<T>(
  s: State,
  name: string,
  etag: string | null,
): Promise<{ body: T; etag: string | null } | null> {
  try {
    const res = await s.fetch(`${s.options.baseUrl}/sdk/v1/${name}?${userQuery(s)}`, {
      headers: { ...(etag ? { 'if-none-match': etag } : {}), ...authHeaders(s) },
    });
    if (res.status === 304 || !res.ok) {
      await authFailed(s, res);
      return null;
    }
    return { body: (await res.json()) as T, etag: res.headers.get('etag') };
  } catch {
    return null;
  }
}

/** The current session's id ('' before any session). */
export function sessionId(s: State): string {
  return read<Session | null>(s, 'session', null)?.id ?? '';
}

/**
 * Log that the user saw a feature flag's experience: at most once per flag per session, and only
 * for a flag Herald sent. Answers whether an impression was logged.
 */
export function logFeatureFlagImpression(id: string): boolean {
  const s = must();
  if (!s.flags.some((f) => f.id === id)) return false;
  const session = sessionId(s);
  const seen = read<{ session: string; ids: string[] }>(s, 'flag_impressions', {
    session,
    ids: [],
  });
  if (seen.session !== session) seen.ids = [];
  if (seen.ids.includes(id)) return false;
  write(s, 'flag_impressions', { session, ids: [...seen.ids, id] });
  enqueue(s, 'flag_impression', { flag_id: id });
  return true;
}

/** Refresh flags now (at most once per 5 minutes; sessions and changeUser refresh on their own). */
export function refreshFeatureFlags(): Promise<void> {
  return refreshFlags(must(), false);
}

/** A flag by id, or null when Herald sent none by that id. */
export function getFeatureFlag(id: string): FeatureFlag | null {
  return must().flags.find((f) => f.id === id) ?? null;
}

export function getAllFeatureFlags(): FeatureFlag[] {
  return [...must().flags];
}

/** Called with the new flags after each refresh that changed them; returns an unsubscribe. */
export function subscribeToFeatureFlagsUpdates(
  listener: (flags: FeatureFlag[]) => void,
): () => void {
  const s = must();
  s.flagListeners.add(listener);
  return () => s.flagListeners.delete(listener);
}

/** Stop timers (tests; single-page apps tearing down). Queued items stay in storage. */
export function destroy(): void {
  if (state?.timer) clearInterval(state.timer);
  state = null;
  for (const hook of hooks.reset) hook();
}
