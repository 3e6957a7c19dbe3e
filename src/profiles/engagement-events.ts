/**
 * What can happen to a message after it was sent, as `message.event` change records carry it.
 * Each channel reports the ones it has (contract messaging §5; Currents event names map from
 * these in the export layer).
 */
export const ENGAGEMENT_EVENTS = [
  /** The provider accepted the message for the recipient (email, SMS carrier, push service). */
  'delivery',
  /** Email opened (pixel), push opened, in-app message or content card viewed. */
  'open',
  /** A tracked link, a card, a button. */
  'click',
  /** Permanently undeliverable (email hard bounce, invalid push token, invalid number). */
  'bounce',
  /** Temporarily undeliverable; the provider retries. */
  'soft_bounce',
  /** The recipient reported the email as spam. */
  'spam',
  /** The recipient unsubscribed through the message (link, one-click, STOP). */
  'unsubscribe',
  /** The carrier or provider could not deliver after accepting (SMS undelivered). */
  'delivery_failure',
  /** The provider refused the message outright (SMS rejected). */
  'rejection',
  /** The recipient subscribed or opted in again through the message (email list links). */
  'subscribe',
  /** A content card or in-app message was shown. */
  'impression',
  /** A content card was dismissed. */
  'dismiss',
  /** SMS: the provider handed the message to the carrier (Twilio `sent`). */
  'carrier_send',
  /** SMS: the user texted an opt-in keyword (START, YES, UNSTOP). */
  'opt_in',
  /** SMS: the user texted a help keyword (HELP, INFO). */
  'help',
  /** SMS: any other message the user texted in. */
  'inbound',
] as const;
export type EngagementEvent = (typeof ENGAGEMENT_EVENTS)[number];
