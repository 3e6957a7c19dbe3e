import type { Json } from '../ingestion/types';
import type { MessageContext, Recipient } from '../personalization/scope';
import type { TrackedMessage } from '../tracking/token';
import type { Workspace } from '../workspaces/store';
import type { HostBreaker } from './breaker';
import type { Channel } from './channels';
import type { Fetch, WebhookMemo } from './webhook';

/**
 * What every channel implements for the delivery consumer: which parts of its message object are
 * Liquid templates, and how to hand the rendered message to its provider. The consumer does
 * everything around it — claiming the send in the user's profile, rendering, retries, dead
 * letters, statistics — the same way for every channel.
 */

/** How one provider call ended. Never thrown: every outcome is a value. */
export type ChannelResult =
  | { result: 'sent'; status: number | null; providerId?: string; detail?: Record<string, Json> }
  /** Not sent, and sending again will not help (a 4xx, an invalid address, no token). */
  | { result: 'failed'; status: number | null; reason: string }
  /** Not sent this time; the consumer retries with backoff (a 5xx, 429, a timeout). */
  | { result: 'retry'; status: number | null; reason: string; retryAfterMs: number | null }
  /** Not sent because of the recipient (no address, unsubscribed at the provider). */
  | { result: 'aborted'; reason: string; detail?: Record<string, Json> };

export interface SendInput<M> {
  message: M;
  /** The message's templates rendered for this recipient, by the names `templates` gave. */
  rendered: Record<string, string>;
  recipient: Recipient;
  profileId: string;
  workspace: Workspace;
  dispatchId: string;
  campaignId: string | null;
  /** The send's ledger key, unique per dispatch, user, variant and channel (idempotency keys). */
  sendKey: string;
  attempt: number;
  /** The ids a tracking token names (src/tracking/token.ts: sign with `signToken`). */
  tracking: TrackedMessage;
  /** The Worker's public origin (HERALD_PUBLIC_URL), for tracking links and callbacks. */
  publicUrl: string;
  /**
   * The Liquid message context the templates were rendered with (campaign, trigger
   * properties): channels that render later (content cards at first impression, templated
   * in-app messages) store it with the message.
   */
  context: MessageContext;
  /** A transactional send (/transactional/v1/…): no list-unsubscribe headers. */
  transactional?: boolean;
}

/** What a channel may use: outbound HTTP, D1, profiles and the host breaker, all as bindings. */
export interface ChannelEnv {
  DB: D1Database;
  fetch: Fetch;
  breaker: HostBreaker;
  /** Webhook work shared by the calls of one deliver message (address checks, headers). */
  webhookMemo?: WebhookMemo;
  now: () => number;
  /**
   * User profiles: the store of channels delivered into the profile (cards, in-app messages),
   * what a provider's answer says about the user (SMS: STOP at the carrier), push devices.
   */
  USER_PROFILE: Env['USER_PROFILE'];
}

export interface ChannelSender<M> {
  channel: Channel;
  /** Attempts before the send is dead-lettered. */
  maxAttempts: number;
  /**
   * Resolve what a message object refers to before its templates are read (email: a stored
   * template), once per queue batch and variant. `failed`: why it cannot be sent to anyone.
   */
  prepare?(
    message: M,
    env: { DB: D1Database; workspaceId: string },
  ): Promise<{ message: M } | { failed: string }>;
  /**
   * Per-recipient links the templates may print (email: `${set_user_to_unsubscribed_url}` and
   * friends), made before rendering from the send's tracking ids.
   */
  messageLinks?(input: {
    tracking: TrackedMessage;
    publicUrl: string;
    workspace: Workspace;
    DB: D1Database;
  }): Promise<MessageContext['links']>;
  /** The Liquid templates of a message object, by field name (the name appears in errors). */
  templates(message: M): Record<string, string>;
  send(input: SendInput<M>, env: ChannelEnv): Promise<ChannelResult>;
}
