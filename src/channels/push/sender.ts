import type { z } from 'zod';
import {
  AndroidPushMessage,
  ApplePushMessage,
  templateFields,
  WebPushMessage,
} from '../../campaigns/messages';
import type { ChannelEnv, ChannelResult, ChannelSender, SendInput } from '../../delivery/channel';
import type { Channel } from '../../delivery/channels';
import { MAX_ATTEMPTS } from '../../delivery/queue';
import { sha256Hex } from '../../lib/hash';
import { log } from '../../lib/log';
import { profileStub } from '../../lib/stubs';
import type { PushDevice, PushKind } from '../../profiles/push-devices';
import { signToken } from '../../tracking/token';
import { listApps } from '../../workspaces/store';
import { sendApns } from './apns';
import { type ApnsConfig, type FcmConfig, getPushConfig, type WebPushConfig } from './config-store';
import { sendFcm } from './fcm';
import type { DeviceResult } from './http';
import { pushOpenUrl } from './open-route';
import {
  type ApnsPush,
  apnsPush,
  type Built,
  type FcmMessage,
  fcmMessage,
  type PushTracking,
  type WebPush,
  webPushPayload,
} from './payload';
import { sendWebPush } from './web-push';

/**
 * The three push channels (contract §3.11.1–3, §5.3). A send goes to every active device of the
 * user on the channel's platform (only the most recently registered one with
 * `send_to_most_recent_device_only`). A device whose token the push service says is gone is
 * marked invalid in the profile and counted as a bounce. The send is `sent` when any device took
 * it; retried only when none did and one may later (a retry would repeat a device that took it).
 */

interface PushChannel<M, P, C> {
  channel: Channel;
  /** The push service whose tokens this channel sends to. */
  kind: PushKind;
  noDevice: string;
  schema: z.ZodType<M>;
  mostRecentOnly: (m: M) => boolean;
  build: (input: SendInput<M>, tracking: PushTracking, now: number) => Built<P>;
  deliver: (input: {
    send: SendInput<M>;
    config: C;
    device: PushDevice;
    payload: P;
    env: ChannelEnv;
  }) => Promise<DeviceResult>;
}

const APP_PLATFORMS: Record<string, PushKind> = { web: 'web', ios: 'apns', android: 'fcm' };

/** Apps are created, never changed: a minute-old list only misses a brand-new app's platform. */
const APPS_TTL_MS = 60_000;
const appKinds = new Map<string, { at: number; kinds: Promise<Map<string, PushKind>> }>();

/** Each registered app's push service, per isolate for a minute. */
function appKindsOf(
  db: D1Database,
  workspaceId: string,
  now: number,
): Promise<Map<string, PushKind>> {
  const cached = appKinds.get(workspaceId);
  if (cached && now - cached.at < APPS_TTL_MS) return cached.kinds;
  if (appKinds.size > 1_000) appKinds.clear();
  const kinds = listApps(db, workspaceId).then(
    (apps) =>
      new Map(
        apps.flatMap((a) => {
          const kind = APP_PLATFORMS[a.platform];
          return kind ? [[a.id, kind] as const] : [];
        }),
      ),
  );
  kinds.catch(() => appKinds.delete(workspaceId));
  appKinds.set(workspaceId, { at: now, kinds });
  return kinds;
}

/** The user's devices this channel sends to. */
async function devicesFor<M>(
  ch: PushChannel<M, unknown, unknown>,
  input: SendInput<M>,
  env: ChannelEnv,
): Promise<PushDevice[] | null> {
  const answer = await profileStub(
    env.USER_PROFILE,
    input.workspace.id,
    input.profileId,
  ).pushDevices({
    workspaceId: input.workspace.id,
    profileId: input.profileId,
    addressedBy: null,
    now: env.now(),
  });
  if (answer.status !== 'ok') return null;
  if (answer.devices.length === 0) return [];
  // A registered app's platform decides; an unregistered app's token is judged by its shape.
  const apps = await appKindsOf(env.DB, input.workspace.id, env.now());
  const devices = answer.devices.filter((d) => (apps.get(d.appId) ?? d.kind) === ch.kind);
  return ch.mostRecentOnly(input.message) ? devices.slice(0, 1) : devices;
}

/** Retire a token the push service refused for good, and count the bounce. */
async function retire<M>(
  input: SendInput<M>,
  env: ChannelEnv,
  device: PushDevice,
  result: Extract<DeviceResult, { type: 'invalid' }>,
): Promise<void> {
  const now = env.now();
  const answer = await profileStub(
    env.USER_PROFILE,
    input.workspace.id,
    input.profileId,
  ).invalidatePushToken({
    workspaceId: input.workspace.id,
    profileId: input.profileId,
    addressedBy: null,
    now,
    appId: device.appId,
    token: device.token,
    reason: result.reason,
  });
  if (answer.status !== 'ok') return;
  // Recorded in the same profile; the event id makes a retried send's bounce count once.
  await profileStub(env.USER_PROFILE, input.workspace.id, input.profileId).recordEngagement({
    workspaceId: input.workspace.id,
    profileId: input.profileId,
    addressedBy: null,
    now,
    engagement: {
      event: 'bounce',
      eventId: `push-bounce:${await sha256Hex(`${input.sendKey}\u0001${device.appId}\u0001${device.token}`)}`,
      at: now,
      message: {
        channel: input.tracking.channel,
        dispatchId: input.tracking.dispatchId,
        sendId: input.tracking.sendId,
        campaignId: input.tracking.campaignId,
        variantId: input.tracking.variantId,
      },
      reason: result.reason,
      detail: { app_id: device.appId, device_id: device.deviceId, platform: device.kind },
    },
  });
}

/** One send's outcome from its devices' outcomes. */
function combine(results: DeviceResult[]): ChannelResult {
  const sent = results.find((r) => r.type === 'sent');
  if (sent) return { result: 'sent', status: sent.status, providerId: sent.providerId };
  const retry = results.find((r) => r.type === 'retry');
  if (retry?.type === 'retry') {
    const { status, reason, retryAfterMs } = retry;
    return { result: 'retry', status, reason, retryAfterMs };
  }
  const failed = results.find((r) => r.type === 'failed') ?? results[0];
  if (!failed || failed.type === 'sent' || failed.type === 'retry') {
    return { result: 'aborted', reason: 'no device to send to' };
  }
  return { result: 'failed', status: failed.status, reason: failed.reason };
}

function pushSender<M, P, C>(
  ch: PushChannel<M, P, C>,
  loadConfig: (db: D1Database, workspaceId: string) => Promise<C | null>,
): ChannelSender<M> {
  return {
    channel: ch.channel,
    maxAttempts: MAX_ATTEMPTS,

    async prepare(raw) {
      // D1 is a trust boundary: the dispatch stores the object as it was accepted.
      const parsed = ch.schema.safeParse(raw);
      if (!parsed.success) return { failed: `the ${ch.channel} message object is invalid` };
      return { message: parsed.data };
    },

    templates(message) {
      return templateFields({ channel: ch.channel, message } as never);
    },

    async send(input, env) {
      const devices = await devicesFor(ch as PushChannel<M, unknown, unknown>, input, env);
      if (devices === null) return { result: 'aborted', reason: 'the user profile is gone' };
      if (devices.length === 0) return { result: 'aborted', reason: ch.noDevice };
      const config = await loadConfig(env.DB, input.workspace.id);
      if (!config) {
        return {
          result: 'failed',
          status: null,
          reason: `no ${ch.channel} credentials are configured`,
        };
      }
      const token = await signToken(env.DB, input.tracking);
      const built = ch.build(
        input,
        { token, openUrl: pushOpenUrl(input.publicUrl, token) },
        env.now(),
      );
      if (!built.ok) return { result: 'aborted', reason: built.reason };
      const results = await Promise.all(
        devices.map(async (device) => {
          const result = await ch.deliver({
            send: input,
            config,
            device,
            payload: built.value,
            env,
          });
          if (result.type === 'invalid') {
            await retire(input, env, device, result).catch((err) =>
              log('warn', 'push token retirement deferred', { error: String(err) }),
            );
          }
          return result;
        }),
      );
      return combine(results);
    },
  };
}

export const webPushSender = pushSender<WebPushMessage, WebPush, WebPushConfig>(
  {
    channel: 'web_push',
    kind: 'web',
    noDevice: 'the user has no active web push subscription',
    schema: WebPushMessage,
    mostRecentOnly: (m) => m.send_to_most_recent_device_only === true,
    build: (input, tracking) =>
      webPushPayload({ message: input.message, rendered: input.rendered, tracking }),
    deliver: ({ send, config, device, payload, env }) =>
      sendWebPush({
        workspaceId: send.workspace.id,
        config,
        endpoint: device.token,
        keys: { p256dh: device.p256dh, auth: device.auth },
        payload: payload.payload,
        ttl: payload.ttl,
        allowlist: send.workspace.settings.connected_content_allowlist,
        fetch: env.fetch,
        now: env.now(),
      }),
  },
  (db, ws) => getPushConfig(db, ws, 'push:web'),
);

export const androidPushSender = pushSender<AndroidPushMessage, FcmMessage, FcmConfig>(
  {
    channel: 'android_push',
    kind: 'fcm',
    noDevice: 'the user has no active android push token',
    schema: AndroidPushMessage,
    mostRecentOnly: (m) => m.send_to_most_recent_device_only === true,
    build: (input, tracking) =>
      fcmMessage({ message: input.message, rendered: input.rendered, tracking }),
    deliver: ({ send, config, device, payload, env }) =>
      sendFcm({
        workspaceId: send.workspace.id,
        config,
        token: device.token,
        message: payload,
        fetch: env.fetch,
        now: env.now(),
      }),
  },
  (db, ws) => getPushConfig(db, ws, 'push:fcm'),
);

export const applePushSender = pushSender<ApplePushMessage, ApnsPush, ApnsConfig>(
  {
    channel: 'apple_push',
    kind: 'apns',
    noDevice: 'the user has no active iOS push token',
    schema: ApplePushMessage,
    mostRecentOnly: (m) => m.send_to_most_recent_device_only === true,
    build: (input, tracking, now) =>
      apnsPush({ message: input.message, rendered: input.rendered, tracking, now }),
    deliver: ({ send, config, device, payload, env }) =>
      sendApns({
        workspaceId: send.workspace.id,
        config,
        token: device.token,
        sendRef: `${send.sendKey}\u0001${device.appId}`,
        push: payload,
        fetch: env.fetch,
        now: env.now(),
      }),
  },
  (db, ws) => getPushConfig(db, ws, 'push:apns'),
);
