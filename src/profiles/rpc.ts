import type { InAppMessage } from '../campaigns/messages';
import type { ChangeBatch } from '../changes/records';
import type { EvaluatedFlag } from '../flags/evaluate';
import type { FlagDefinition } from '../flags/model';
import type {
  AttributesInput,
  EventInput,
  Identifier,
  Json,
  PurchaseInput,
  SessionInput,
} from '../ingestion/types';
import type { MessageContext, Recipient } from '../personalization/scope';
import type { SegmentFilter } from '../segments/filters';
import type { ProfileSummary } from '../segments/summary';
import type {
  CardEvent,
  CardEventResult,
  CardFeed,
  NewCard,
  RemovedCampaigns,
  RenderedCard,
} from './cards';
import type { GlobalControlGroup } from './eligibility';
import type { EngagementInput, EngagementResult } from './engagement';
import type { ExportField } from './export';
import type { InAppEventResult, InAppView, NewInAppMessage } from './in-app';
import type { MergeSnapshot } from './merge-state';
import type { IdentitySnapshot } from './profile-store';
import type { PushDevice } from './push-devices';
import type { SendRecord } from './send-records';
import type { ClaimResult, SendClaim, SendOutcome, SendState } from './sends';
import type { LastSent } from './service';
import type { ApplySettings, ObjectOutcome } from './track';

/**
 * The request and answer shapes of UserProfile's RPC methods. Every request names the profile it
 * expects (workspace, profile id) and, where a caller found it through an identifier, that
 * identifier, so a stale directory entry is caught by the object itself.
 */
export interface Addressed {
  workspaceId: string;
  profileId: string;
  addressedBy: Identifier | null;
  now: number;
}

/** Answers that mean "not this profile": the caller re-resolves or reports the miss. */
export type Miss =
  | { status: 'not_found' }
  | { status: 'not_owner' }
  | { status: 'merged'; into: string }
  | { status: 'deleted' };

export type TrackRequest = Addressed & {
  create: boolean;
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  /** SDK sessions (absent for /users/track). */
  sessions?: SessionInput[];
  settings: ApplySettings;
};
/**
 * One queued request's share for this user, from a shard of the ingestion log
 * (src/ingestion/log-store.ts): applied with the time it was accepted.
 */
export interface LoggedPart {
  seq: number;
  now: number;
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions?: SessionInput[];
}

/**
 * Queued shares of one identifier, oldest first. `source` names the log shard and identifier
 * key; the profile remembers the last position it applied from each source, in the same write,
 * so a redelivered part is skipped: exactly once.
 */
export type LoggedTrackRequest = Addressed & {
  create: boolean;
  settings: ApplySettings;
  source: string;
  parts: LoggedPart[];
};

export type TrackAnswer =
  | Miss
  | {
      status: 'applied';
      created: boolean;
      outcomes: ObjectOutcome[];
      /** Change records for the caller to deliver, then ack with `ackChanges(upTo)`. */
      handoff?: { batches: ChangeBatch[]; upTo: number } | null;
    };

export type ExportAnswer = Miss | { status: 'ok'; user: Record<string, Json> };
export type ExportRequest = Addressed & { fields: ExportField[] | null };

export type DescribeAnswer =
  | Miss
  | { status: 'ok'; identity: IdentitySnapshot; updatedAt: number; createdAt: number };

/** An identity operation that may fail for a stated reason. */
export type IdentityAnswer = Miss | { status: 'ok' } | { status: 'error'; reason: string };

export type RecipientAnswer = Miss | { status: 'ok'; recipient: Recipient };

export type SummaryAnswer = Miss | { status: 'ok'; summary: ProfileSummary };
export type MembershipAnswer =
  | Miss
  | { status: 'ok'; segments: { segment_id: string; entered_at: number }[] };

export type MergeBeginAnswer = Miss | { status: 'ok'; snapshot: MergeSnapshot };
export type AbsorbAnswer = Miss | { status: 'ok'; aliases: { label: string; name: string }[] };

/** What the UserProfile object answers over RPC, as callers see it (see src/lib/stubs.ts). */
export interface ProfileApi {
  track(req: TrackRequest): Promise<TrackAnswer>;
  trackLogged(req: LoggedTrackRequest): Promise<TrackAnswer>;
  exportUser(req: ExportRequest): Promise<ExportAnswer>;
  describe(req: Addressed): Promise<DescribeAnswer>;
  /** What templates may read of this user (personalization). */
  recipient(req: Addressed): Promise<RecipientAnswer>;
  summary(req: Addressed & { ackUpTo?: number }): Promise<SummaryAnswer>;
  memberships(req: Addressed): Promise<MembershipAnswer>;
  setExternalId(req: Addressed & { externalId: string }): Promise<IdentityAnswer>;
  addAlias(req: Addressed & { label: string; name: string }): Promise<IdentityAnswer>;
  updateAlias(
    req: Addressed & { label: string; oldName: string; newName: string },
  ): Promise<IdentityAnswer>;
  renameExternalId(req: Addressed & { current: string; next: string }): Promise<IdentityAnswer>;
  removeExternalId(req: Addressed & { externalId: string }): Promise<IdentityAnswer>;
  beginMerge(req: Addressed): Promise<MergeBeginAnswer>;
  absorb(req: Addressed & { snapshot: MergeSnapshot }): Promise<AbsorbAnswer>;
  finishMerge(
    req: Addressed & { into: string; keepAliases: { label: string; name: string }[] },
  ): Promise<{ status: 'ok' } | { status: 'not_found' }>;
  deleteProfile(req: Addressed): Promise<IdentityAnswer>;
  ackChanges(upTo: number): Promise<void>;
  /** Deliver pending change records and directory updates now. */
  flush(): Promise<void>;
  /** Claim a send (src/profiles/sends.ts); `audience` is re-checked against the profile. */
  claimSend(
    req: Addressed & { claim: SendClaim; audience: SegmentFilter | null },
  ): Promise<Miss | ClaimResult>;
  completeSend(
    req: Addressed & { outcome: SendOutcome },
  ): Promise<Miss | { status: 'ok'; applied: boolean }>;
  /**
   * The batched delivery path's deferred write-back (src/profiles/send-records.ts); change
   * records come back as a hand-off for the caller to send, as `track` hands them over.
   */
  recordSends(req: Addressed & { records: SendRecord[] }): Promise<
    | Miss
    | {
        status: 'ok';
        added: number;
        handoff: { batches: ChangeBatch[]; upTo: number } | null;
      }
  >;
  /** Record what happened to a sent message: opened, clicked, bounced, unsubscribed… */
  recordEngagement(
    req: Addressed & { engagement: EngagementInput },
  ): Promise<Miss | EngagementResult>;
  /** This user's feature flags, evaluated now (src/flags/evaluate.ts). */
  featureFlags(
    req: Addressed & { flags: FlagDefinition[]; globalControl: GlobalControlGroup | null },
  ): Promise<Miss | { status: 'ok'; flags: EvaluatedFlag[] }>;
  /** The latest message sent on a channel (inbound replies are credited to it). */
  lastSent(
    req: Addressed & { channel: string },
  ): Promise<Miss | { status: 'ok'; sent: LastSent | null }>;
  /** The user's active push devices, most recently registered first (push senders). */
  pushDevices(req: Addressed): Promise<Miss | { status: 'ok'; devices: PushDevice[] }>;
  /** Stop sending to a token the push service says is gone; `invalidated` false if it was not active. */
  invalidatePushToken(
    req: Addressed & { appId: string; token: string; reason: string },
  ): Promise<Miss | { status: 'ok'; invalidated: boolean }>;
  /** The send ledger rows of one dispatch. */
  sends(
    req: Addressed & { dispatchId: string },
  ): Promise<
    | Miss
    | { status: 'ok'; sends: { key: string; state: SendState; attempt: number; channel: string }[] }
  >;
  // Content Cards and in-app messages (src/profiles/cards.ts, in-app.ts).
  storeContentCard(req: Addressed & { card: NewCard }): Promise<Miss | 'stored' | 'exists'>;
  /** The feed; with cards still to render, the recipient to render them for. */
  contentCards(
    req: Addressed & { removed: RemovedCampaigns; ifNoneMatch?: string },
  ): Promise<Miss | (CardFeed & { recipient?: Recipient })>;
  settleContentCards(
    req: Addressed & {
      settled: ({ id: string; rendered: RenderedCard } | { id: string; aborted: string })[];
    },
  ): Promise<Miss | { status: 'ok' }>;
  contentCardEvent(
    req: Addressed & {
      cardId: string;
      event: CardEvent;
      eventId?: string;
      at: number;
      detail?: Record<string, Json>;
    },
  ): Promise<Miss | CardEventResult>;
  storeInAppMessage(
    req: Addressed & { message: NewInAppMessage },
  ): Promise<Miss | 'stored' | 'exists'>;
  inAppMessages(req: Addressed): Promise<Miss | { status: 'ok'; messages: InAppView[] }>;
  /** A templated message's source, its Liquid context and the recipient, to render it. */
  inAppTemplate(req: Addressed & { id: string }): Promise<
    | Miss
    | { status: 'message_not_found' }
    | {
        status: 'ok';
        view: InAppView;
        message: InAppMessage;
        context: MessageContext;
        recipient: Recipient;
      }
  >;
  inAppMessageEvent(
    req: Addressed & {
      id: string;
      event: 'impression' | 'click';
      buttonIndex?: number;
      eventId?: string;
      at: number;
      detail?: Record<string, Json>;
    },
  ): Promise<Miss | InAppEventResult>;
}
