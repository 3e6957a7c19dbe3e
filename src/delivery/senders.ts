import { contentCardSender } from '../channels/cards/sender';
import { emailSender } from '../channels/email/sender';
import { inAppSender } from '../channels/in-app/sender';
import { androidPushSender, applePushSender, webPushSender } from '../channels/push/sender';
import { smsSender } from '../channels/sms/sender';
import type { ChannelSender } from './channel';
import type { Channel } from './channels';
import { webhookSender } from './webhook-sender';

/**
 * Every channel Herald delivers, by name. A channel is added by implementing `ChannelSender`
 * (src/delivery/channel.ts) and registering it here.
 */
export const SENDERS: Partial<Record<Channel, ChannelSender<never>>> = {
  webhook: webhookSender as ChannelSender<never>,
  email: emailSender as ChannelSender<never>,
  content_card: contentCardSender as ChannelSender<never>,
  in_app_message: inAppSender as ChannelSender<never>,
  sms: smsSender as ChannelSender<never>,
  web_push: webPushSender as ChannelSender<never>,
  android_push: androidPushSender as ChannelSender<never>,
  apple_push: applePushSender as ChannelSender<never>,
};

/** Channels whose delivery is built. The rest are refused by the send APIs, never dropped. */
export const DELIVERED_CHANNELS: ReadonlySet<Channel> = new Set(Object.keys(SENDERS) as Channel[]);
