import { z } from 'zod';
import { ApiError, badRequest } from '../../http/errors';
import { defineRoute } from '../../http/route';
import { sha256Hex } from '../../lib/hash';
import { recordTracked } from '../../tracking/record';
import { MAX_TOKEN_LENGTH, verifyToken } from '../../tracking/token';

/**
 * Push opens. Every push payload carries the message's signed tracking token and this URL
 * (`herald.open_url` in Web Push and APNs payloads, `herald_open_url` in FCM data); the SDK
 * POSTs to it when the user opens the notification. The token is the authentication: it names
 * the workspace, user and message and cannot be forged. An open counts once per device.
 */

const PUSH_CHANNELS: ReadonlySet<string> = new Set(['apple_push', 'android_push', 'web_push']);

/** Where the SDK reports an open of the message a token names. */
export function pushOpenUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/t/push/${token}/open`;
}

export const PushOpenBody = z.strictObject({
  device_id: z.string({ error: 'device_id must be a string' }).min(1).max(255).optional(),
});

export const pushOpenRoute = defineRoute({
  method: 'post',
  path: '/t/push/{token}/open',
  tag: 'Tracking',
  summary: 'Record that a push notification was opened (called by the SDK)',
  description:
    'The path carries the tracking token from the push payload. The body is optional: ' +
    '`{"device_id": "…"}` counts one open per device.',
  auth: { type: 'none' },
  body: PushOpenBody,
  validateBody: false,
  maxBodyBytes: 4_096,
  success: {
    status: 202,
    description: 'Recorded (or already recorded)',
    schema: z.object({ message: z.string() }),
  },
  handler: async (c) => {
    const raw = c.get('body') as unknown;
    const parsed = PushOpenBody.safeParse(raw ?? {});
    if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? 'Invalid body');
    const token = c.req.param('token') ?? '';
    const tracked = token.length <= MAX_TOKEN_LENGTH ? await verifyToken(c.env.DB, token) : null;
    if (!tracked || !PUSH_CHANNELS.has(tracked.channel)) {
      throw new ApiError(404, 'Unknown push message');
    }
    const device = parsed.data.device_id ?? '';
    await recordTracked(c.env, tracked, {
      event: 'open',
      eventId: `push-open:${await sha256Hex(`${token}\u0001${device}`)}`,
      at: Date.now(),
      ...(device ? { detail: { device_id: device } } : {}),
    });
    return c.json({ message: 'success' }, 202);
  },
});
