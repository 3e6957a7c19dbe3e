import type { ContentCardMessage } from '../../campaigns/messages';
import type { ChannelEnv, ChannelResult, ChannelSender, SendInput } from '../../delivery/channel';
import { profileStub } from '../../lib/stubs';
import { buildCard, cardExpiry, cardId, cardProblem, cardTemplates } from './content';

/**
 * The content_card channel (contract §3.11.7, §5.6). Its "provider" is the recipient's profile:
 * the rendered card is stored in the user's feed (src/profiles/cards.ts), where the SDK sync
 * endpoints read it. A card created "at first impression" is stored unrendered with its Liquid
 * context and rendered by the first feed fetch (feed.ts). Content Cards need no subscription.
 */

function timeZoneOf(input: SendInput<ContentCardMessage>): string | null {
  const tz = input.recipient.standard.time_zone;
  return typeof tz === 'string' && tz !== '' ? tz : null;
}

function expiryOf(input: SendInput<ContentCardMessage>, now: number): number | null {
  try {
    return cardExpiry(input.message, { now, timeZone: timeZoneOf(input) });
  } catch {
    // A zone the runtime does not know: the date is read as UTC.
    return cardExpiry(input.message, { now, timeZone: null });
  }
}

async function send(input: SendInput<ContentCardMessage>, env: ChannelEnv): Promise<ChannelResult> {
  const now = env.now();
  const m = input.message;
  const expiresAt = expiryOf(input, now);
  if (expiresAt === null) return { result: 'aborted', reason: 'the card would already be expired' };
  const deferred = m.card_creation === 'at_first_impression';
  const rendered = deferred ? null : buildCard(m, input.rendered);
  const problem = rendered && cardProblem(rendered);
  if (problem) return { result: 'aborted', reason: problem };
  const t = input.tracking;
  const answer = await profileStub(
    env.USER_PROFILE,
    t.workspaceId,
    input.profileId,
  ).storeContentCard({
    workspaceId: t.workspaceId,
    profileId: input.profileId,
    addressedBy: null,
    now,
    card: {
      id: await cardId(input.sendKey),
      dispatchId: t.dispatchId,
      sendId: t.sendId,
      campaignId: t.campaignId,
      // Campaign statistics count per `message_variation_id` (src/campaigns/stats.ts).
      variantId: m.message_variation_id ?? t.variantId,
      pinned: m.pinned === true,
      createdAt: now,
      expiresAt,
      removalEvents: m.removal_events ?? [],
      content: rendered ? { rendered } : { template: { message: m, context: input.context } },
    },
  });
  if (answer === 'stored' || answer === 'exists') return { result: 'sent', status: null };
  return { result: 'aborted', reason: `the user's profile is ${answer.status.replace('_', ' ')}` };
}

export const contentCardSender: ChannelSender<ContentCardMessage> = {
  channel: 'content_card',
  maxAttempts: 5,
  templates: (m) => (m.card_creation === 'at_first_impression' ? {} : cardTemplates(m)),
  send,
};
