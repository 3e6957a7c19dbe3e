import { z } from 'zod';
import type { CardEvent } from '../profiles/cards';
import type { SdkUser } from './batch';

/**
 * What a device reports about the messages and flags it showed (docs/sdk-protocol.md): Content
 * Card impressions, clicks and dismissals, in-app message impressions and clicks, and feature
 * flag impressions. Pure: the batch route applies them to the user's profile.
 */

const Id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(128, `${what} must be at most 128 characters`);

/** The fields each interaction item carries besides the common `id`, `user`, `time`. */
export const CardFields = { card_id: Id('card_id') };
export const IamFields = { message_id: Id('message_id') };
export const IamClickFields = {
  message_id: Id('message_id'),
  button_index: z
    .number({ error: 'button_index must be 0 or 1' })
    .int('button_index must be 0 or 1')
    .min(0, 'button_index must be 0 or 1')
    .max(1, 'button_index must be 0 or 1')
    .optional(),
};
export const FlagFields = { flag_id: Id('flag_id') };

/** One report, normalized. `eventId` makes a retried batch count once. */
export type Interaction = { user: SdkUser; eventId: string; at: number } & (
  | { kind: 'card'; event: CardEvent; cardId: string }
  | { kind: 'iam'; event: 'impression' | 'click'; messageId: string; buttonIndex?: number }
  | { kind: 'flag'; flagId: string }
);

type InteractionItem = { id: string; user: SdkUser } & (
  | { type: 'card_impression' | 'card_click' | 'card_dismiss'; card_id: string }
  | { type: 'iam_impression'; message_id: string }
  | { type: 'iam_click'; message_id: string; button_index?: number | undefined }
  | { type: 'flag_impression'; flag_id: string }
);

const CARD_EVENTS = {
  card_impression: 'impression',
  card_click: 'click',
  card_dismiss: 'dismiss',
} as const;

/** The interaction an item reports; `time` is the item's time, already clamped to now. */
export function interactionOf(item: InteractionItem, time: number): Interaction {
  // Namespaced so an item id can never collide with a tracking hit's or a webhook's event id.
  const common = { user: item.user, eventId: `sdk:${item.id}`, at: time };
  switch (item.type) {
    case 'card_impression':
    case 'card_click':
    case 'card_dismiss':
      return { ...common, kind: 'card', event: CARD_EVENTS[item.type], cardId: item.card_id };
    case 'iam_impression':
      return { ...common, kind: 'iam', event: 'impression', messageId: item.message_id };
    case 'iam_click':
      return {
        ...common,
        kind: 'iam',
        event: 'click',
        messageId: item.message_id,
        ...(item.button_index !== undefined ? { buttonIndex: item.button_index } : {}),
      };
    case 'flag_impression':
      return { ...common, kind: 'flag', flagId: item.flag_id };
  }
}
