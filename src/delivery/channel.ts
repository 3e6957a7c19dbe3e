import type { Recipient } from '../personalization/scope';
import type { TrackedMessage } from '../tracking/token';
import type { Workspace } from '../workspaces/store';
import type { HostBreaker } from './breaker';
import type { Channel } from './channels';

/**
 * What every channel implements for the delivery consumer: which parts of its message object are
 * Liquid templates, and how to hand the rendered message to its provider. The consumer does
 * everything around it — claiming the send in the user's profile, rendering, retries, dead
 * letters, statistics — the same way for every channel.
 */

/** How one provider call ended. Never thrown: every outcome is a value. */
export type ChannelResult =
  | { result: 'sent'; status: number | null; providerId?: string }
  /** Not sent, and sending again will not help (a 4xx, an invalid address, no token). */
  | { result: 'failed'; status: number | null; reason: string }
  /** Not sent this time; the consumer retries with backoff (a 5xx, 429, a timeout). */
  | { result: 'retry'; status: number | null; reason: string; retryAfterMs: number | null }
  /** Not sent because of the recipient (no address, unsubscribed at the provider). */
  | { result: 'aborted'; reason: string };

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
}

/** What a channel may use: outbound HTTP, D1, profiles and the host breaker, all as bindings. */
export interface ChannelEnv {
  DB: D1Database;
  /** The users' profile objects (push senders read devices and retire dead tokens). */
  USER_PROFILE: Env['USER_PROFILE'];
  fetch: (request: Request) => Promise<Response>;
  breaker: HostBreaker;
  now: () => number;
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
  /** The Liquid templates of a message object, by field name (the name appears in errors). */
  templates(message: M): Record<string, string>;
  send(input: SendInput<M>, env: ChannelEnv): Promise<ChannelResult>;
}
