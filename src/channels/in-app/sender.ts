import type { InAppMessage } from '../../campaigns/messages';
import type { ChannelEnv, ChannelResult, ChannelSender, SendInput } from '../../delivery/channel';
import { profileStub } from '../../lib/stubs';
import { priorityOf } from '../../profiles/in-app';
import { applyRendered, inAppExpiry, inAppId, inAppProblem, inAppTemplates } from './content';

/**
 * The in_app_message channel (contract §5.5), for campaigns only. Delivery stores the message
 * with its trigger in the user's profile (src/profiles/in-app.ts); the SDK downloads the eligible
 * set at session start and shows a message when its trigger fires. A templated message is stored
 * unrendered with its Liquid context and rendered at display time (display.ts). Frequency caps
 * and quiet hours do not apply (src/delivery/consumer.ts `controlsFor`).
 */
async function send(input: SendInput<InAppMessage>, env: ChannelEnv): Promise<ChannelResult> {
  const now = env.now();
  const m = input.message;
  const expiresAt = inAppExpiry(m, now);
  if (expiresAt === null)
    return { result: 'aborted', reason: 'the message would already be expired' };
  const templated = m.templated === true;
  const message = templated ? m : applyRendered(m, input.rendered);
  const problem = templated ? null : inAppProblem(message);
  if (problem) return { result: 'aborted', reason: problem };
  const t = input.tracking;
  const answer = await profileStub(
    env.USER_PROFILE,
    t.workspaceId,
    input.profileId,
  ).storeInAppMessage({
    workspaceId: t.workspaceId,
    profileId: input.profileId,
    addressedBy: null,
    now,
    message: {
      id: await inAppId(input.sendKey),
      dispatchId: t.dispatchId,
      sendId: t.sendId,
      campaignId: t.campaignId,
      // Campaign statistics count per `message_variation_id` (src/campaigns/stats.ts).
      variantId: m.message_variation_id ?? t.variantId,
      priority: priorityOf(m.priority),
      createdAt: now,
      expiresAt,
      message,
      context: templated ? input.context : null,
    },
  });
  if (answer === 'stored' || answer === 'exists') return { result: 'sent', status: null };
  return { result: 'aborted', reason: `the user's profile is ${answer.status.replace('_', ' ')}` };
}

export const inAppSender: ChannelSender<InAppMessage> = {
  channel: 'in_app_message',
  maxAttempts: 5,
  templates: (m) => (m.templated === true ? {} : inAppTemplates(m)),
  send,
};
