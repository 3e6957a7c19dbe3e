import { z } from 'zod';

/** Braze's message-object keys (contract §3.11), which are also Herald's channel names. */
export const CHANNELS = [
  'webhook',
  'email',
  'sms',
  'apple_push',
  'android_push',
  'web_push',
  'content_card',
  'in_app_message',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Templates are stored as text; one field's template may be this long. */
const MAX_TEMPLATE = 256_000;

/**
 * The webhook message object (contract §3.11.6, §5.4). `url`, header values and `body` are
 * Liquid templates rendered per recipient.
 */
export const WebhookMessage = z.strictObject({
  url: z.string().min(1, 'must not be empty').max(8_192),
  request_method: z.enum(['POST', 'PUT', 'DELETE', 'GET'], {
    error: 'must be one of POST, PUT, DELETE, GET',
  }),
  request_headers: z.record(z.string().min(1).max(256), z.string().max(8_192)).optional(),
  body: z.string().max(MAX_TEMPLATE).optional(),
  message_variation_id: z.string().max(128).optional(),
});
export type WebhookMessage = z.infer<typeof WebhookMessage>;
