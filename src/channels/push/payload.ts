import {
  ANDROID_PUSH_MAX_BYTES,
  type AndroidPushMessage,
  APPLE_PUSH_MAX_BYTES,
  type ApplePushMessage,
  type WebPushMessage,
} from '../../campaigns/messages';
import { parseBrazeTime } from '../../ingestion/time';
import { WEB_PUSH_MAX_PLAINTEXT } from './web-push-crypto';

/**
 * What each push service is sent, built from a message object and its rendered templates. Pure:
 * the senders add the device token and credentials. Every payload carries Herald's tracking
 * block — the message's signed token and the open URL the SDK calls when the notification is
 * opened — which is not counted toward Braze's payload limits (they cover the message itself).
 */

/** Herald's tracking block in every push payload. */
export interface PushTracking {
  token: string;
  openUrl: string;
}

/** The tracking block as payloads carry it. */
function trackingBlock(t: PushTracking) {
  return { token: t.token, open_url: t.openUrl };
}

/** A payload or why the message cannot be sent to this user. */
export type Built<T> = { ok: true; value: T } | { ok: false; reason: string };

const encoder = new TextEncoder();
const bytes = (v: unknown) => encoder.encode(JSON.stringify(v)).length;

/** Default time to live when a message names none: four weeks, the longest FCM keeps one. */
export const DEFAULT_TTL_SECONDS = 2_419_200;

// ---- Web Push ----

/** The JSON a service worker receives (encrypted); the SDK's worker shows it. */
export interface WebPushPayload {
  title: string;
  body: string;
  icon?: string;
  image?: string;
  url?: string;
  require_interaction?: boolean;
  actions?: { action: string; title: string; type: string; url?: string }[];
  extra?: Record<string, unknown>;
  herald: { token: string; open_url: string };
}

/** A Web Push payload with its time to live (the `TTL` header), seconds. */
export interface WebPush {
  payload: WebPushPayload;
  ttl: number;
}

export function webPushPayload(input: {
  message: WebPushMessage;
  rendered: Record<string, string>;
  tracking: PushTracking;
}): Built<WebPush> {
  const m = input.message;
  const r = input.rendered;
  const payload: WebPushPayload = {
    title: r.title ?? m.title,
    body: r.alert ?? m.alert,
    ...(m.image_url ? { icon: m.image_url } : {}),
    ...(m.large_image_url ? { image: m.large_image_url } : {}),
    ...(r.custom_uri ? { url: r.custom_uri } : {}),
    ...(m.require_interaction !== undefined ? { require_interaction: m.require_interaction } : {}),
    ...(m.buttons
      ? {
          actions: m.buttons.map((b, i) => ({
            action: `button_${i}`,
            title: b.text,
            type: b.action ?? 'OPEN_APP',
            ...(b.uri ? { url: b.uri } : {}),
          })),
        }
      : {}),
    ...(m.extra ? { extra: m.extra } : {}),
    herald: trackingBlock(input.tracking),
  };
  const size = bytes(payload);
  if (size > WEB_PUSH_MAX_PLAINTEXT) {
    return {
      ok: false,
      reason: `web push payload is ${size} bytes, over the ${WEB_PUSH_MAX_PLAINTEXT}-byte limit`,
    };
  }
  return { ok: true, value: { payload, ttl: m.time_to_live ?? DEFAULT_TTL_SECONDS } };
}

// ---- FCM (android_push) ----

const NOTIFICATION_PRIORITY = [
  'PRIORITY_MIN',
  'PRIORITY_LOW',
  'PRIORITY_DEFAULT',
  'PRIORITY_HIGH',
  'PRIORITY_MAX',
] as const;

/** An FCM HTTP v1 `message`, without its `token`. */
export interface FcmMessage {
  notification?: { title: string; body: string; image?: string };
  data: Record<string, string>;
  android: {
    priority: 'HIGH' | 'NORMAL';
    ttl: string;
    collapse_key?: string;
    notification?: Record<string, unknown>;
  };
}

function dataValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function fcmMessage(input: {
  message: AndroidPushMessage;
  rendered: Record<string, string>;
  tracking: PushTracking;
}): Built<FcmMessage> {
  const m = input.message;
  const r = input.rendered;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.extra ?? {})) data[k] = dataValue(v);
  if (r.custom_uri) data.uri = r.custom_uri;
  if (m.use_webview !== undefined) data.use_webview = String(m.use_webview);
  if (r.summary_text) data.summary_text = r.summary_text;
  if (m.buttons) data.buttons = JSON.stringify(m.buttons);
  if (m.conversation_data) data.conversation_data = JSON.stringify(m.conversation_data);
  const silent = m.send_to_sync === true;
  const notification = silent
    ? undefined
    : {
        title: r.title ?? m.title ?? '',
        body: r.alert ?? m.alert ?? '',
        ...(m.push_icon_image_url ? { image: m.push_icon_image_url } : {}),
      };
  // Braze's limit covers the message (alert, title, extra), not Herald's tracking keys.
  const size = bytes({ notification, data });
  if (size > ANDROID_PUSH_MAX_BYTES) {
    return {
      ok: false,
      reason: `android push payload is ${size} bytes, over the ${ANDROID_PUSH_MAX_BYTES}-byte limit`,
    };
  }
  data.herald_token = input.tracking.token;
  data.herald_open_url = input.tracking.openUrl;
  const androidNotification: Record<string, unknown> = {};
  if (!silent) {
    if (m.notification_channel_id) androidNotification.channel_id = m.notification_channel_id;
    if (m.sound) androidNotification.sound = m.sound;
    if (m.priority !== undefined) {
      androidNotification.notification_priority = NOTIFICATION_PRIORITY[m.priority + 2];
    }
    if (m.accent_color !== undefined) {
      androidNotification.color = `#${m.accent_color.toString(16).padStart(6, '0')}`;
    }
    if (m.notification_id !== undefined) androidNotification.tag = String(m.notification_id);
    if (r.custom_uri) androidNotification.click_action = r.custom_uri;
  }
  return {
    ok: true,
    value: {
      ...(notification ? { notification } : {}),
      data,
      android: {
        priority: m.android_priority === 'high' || silent ? 'HIGH' : 'NORMAL',
        ttl: `${m.time_to_live ?? DEFAULT_TTL_SECONDS}s`,
        ...(m.collapse_key ? { collapse_key: m.collapse_key } : {}),
        ...(Object.keys(androidNotification).length > 0
          ? { notification: androidNotification }
          : {}),
      },
    },
  };
}

// ---- APNs (apple_push) ----

/** An APNs request: the JSON body and the headers that depend on the message. */
export interface ApnsPush {
  body: Record<string, unknown>;
  pushType: 'alert' | 'background';
  priority: number;
  /** Epoch seconds; 0: deliver once or never. */
  expiration: number;
  collapseId?: string;
}

export function apnsPush(input: {
  message: ApplePushMessage;
  rendered: Record<string, string>;
  tracking: PushTracking;
  now: number;
}): Built<ApnsPush> {
  const m = input.message;
  const r = input.rendered;
  const aps: Record<string, unknown> = {};
  if (typeof m.alert === 'string') aps.alert = r.alert ?? m.alert;
  else if (m.alert) {
    const a = m.alert;
    const alert: Record<string, unknown> = {};
    const title = r['alert.title'] ?? a.title;
    const body = r['alert.body'] ?? a.body;
    if (title !== undefined) alert.title = title;
    if (body !== undefined) alert.body = body;
    if (a.title_loc_key) alert['title-loc-key'] = a.title_loc_key;
    if (a.title_loc_args) alert['title-loc-args'] = a.title_loc_args;
    if (a.action_loc_key) alert['action-loc-key'] = a.action_loc_key;
    if (a.loc_key) alert['loc-key'] = a.loc_key;
    if (a.loc_args) alert['loc-args'] = a.loc_args;
    aps.alert = alert;
  }
  const sound = m.sound ?? (typeof m.alert === 'object' ? m.alert.sound : undefined);
  if (sound) aps.sound = sound;
  if (m.badge !== undefined) aps.badge = m.badge;
  if (m['content-available']) aps['content-available'] = 1;
  if (m.mutable_content || m.asset_url) aps['mutable-content'] = 1;
  if (m.category) aps.category = m.category;
  if (m.notification_group_thread_id) aps['thread-id'] = m.notification_group_thread_id;
  if (m.interruption_level) aps['interruption-level'] = m.interruption_level;
  if (m.relevance_score !== undefined) aps['relevance-score'] = m.relevance_score;
  const options: Record<string, unknown> = {};
  if (r.custom_uri) options.uri = r.custom_uri;
  if (m.use_webview !== undefined) options.use_webview = m.use_webview;
  if (m.asset_url) options.asset_url = m.asset_url;
  if (m.asset_file_type) options.asset_file_type = m.asset_file_type;
  if (m.buttons) options.buttons = m.buttons;
  const body: Record<string, unknown> = { ...(m.extra ?? {}), aps };
  const size = bytes({ ...body, herald: options });
  if (size > APPLE_PUSH_MAX_BYTES) {
    return {
      ok: false,
      reason: `apple push payload is ${size} bytes, over the ${APPLE_PUSH_MAX_BYTES}-byte limit`,
    };
  }
  body.herald = { ...options, ...trackingBlock(input.tracking) };
  const background = aps.alert === undefined && aps['content-available'] === 1;
  const expiry = m.expiry !== undefined ? (parseBrazeTime(m.expiry)?.getTime() ?? null) : null;
  return {
    ok: true,
    value: {
      body,
      pushType: background ? 'background' : 'alert',
      // Apple refuses priority 10 for background pushes.
      priority: m.apns_priority ?? (background ? 5 : 10),
      expiration: Math.floor((expiry ?? input.now + DEFAULT_TTL_SECONDS * 1_000) / 1_000),
      ...(m.collapse_id ? { collapseId: m.collapse_id } : {}),
    },
  };
}
