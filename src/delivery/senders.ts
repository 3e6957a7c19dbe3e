import { emailSender } from '../channels/email/sender';
import type { ChannelSender } from './channel';
import type { Channel } from './channels';
import { webhookSender } from './webhook-sender';

/**
 * Every channel Herald delivers, by name. A channel is added by implementing `ChannelSender`
 * (src/delivery/channel.ts), registering it here and naming it in `DELIVERED_CHANNELS`.
 */
export const SENDERS: Partial<Record<Channel, ChannelSender<never>>> = {
  webhook: webhookSender as ChannelSender<never>,
  email: emailSender as ChannelSender<never>,
};
