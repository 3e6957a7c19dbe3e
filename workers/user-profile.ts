import { DurableObject } from 'cloudflare:workers';
import { sendChanges } from '../src/changes/producer';
import type { FlagDefinition } from '../src/flags/model';
import type { Json } from '../src/ingestion/types';
import { log } from '../src/lib/log';
import {
  type CardEvent,
  listCards,
  type NewCard,
  putCard,
  type RemovedCampaigns,
  type RenderedCard,
  recordCardEvent,
  settleCards,
} from '../src/profiles/cards';
import { applyDirectoryOps } from '../src/profiles/directory';
import type { GlobalControlGroup } from '../src/profiles/eligibility';
import type { EngagementInput } from '../src/profiles/engagement';
import {
  inAppTemplate,
  listInAppMessages,
  type NewInAppMessage,
  putInAppMessage,
  recordInAppEvent,
} from '../src/profiles/in-app';
import type { SegmentDefinition } from '../src/profiles/membership';
import type { MergeSnapshot } from '../src/profiles/merge-state';
import { ackChanges, flushOutbox, pendingChanges } from '../src/profiles/outbox';
import { ProfileStore } from '../src/profiles/profile-store';
import { movedDevices } from '../src/profiles/push-devices';
import { buildRecipient } from '../src/profiles/recipient';
import type {
  Addressed,
  ExportRequest,
  LoggedTrackRequest,
  TrackRequest,
} from '../src/profiles/rpc';
import type { SendRecord } from '../src/profiles/send-records';
import type { SendClaim, SendOutcome } from '../src/profiles/sends';
import { ProfileService } from '../src/profiles/service';
import type { SegmentFilter } from '../src/segments/filters';
import { cachedDefinitions } from '../src/segments/store';

/** Per cached definitions list: whether any segment reads message engagement. */
const engagementReaders = new WeakMap<SegmentDefinition[], boolean>();

function readsEngagement(definitions: SegmentDefinition[]): boolean {
  let reads = engagementReaders.get(definitions);
  if (reads === undefined) {
    reads = definitions.some((d) => JSON.stringify(d.filter).includes('"message_engagement"'));
    engagementReaders.set(definitions, reads);
  }
  return reads;
}

/** Retry delay for an outbox that could not be delivered. */
const RETRY_MS = 15_000;

/**
 * One user's profile (SQLite-backed). RPC methods delegate to ProfileService; after each write the
 * object delivers its outbox, with an alarm as the safety net when delivery fails.
 */
export class UserProfile extends DurableObject<Env> {
  private service!: ProfileService;
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const store = new ProfileStore(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn));
      this.service = new ProfileService(store);
    });
  }

  /**
   * Apply a /users/track share. The change records are handed back to the caller, which sends
   * every profile's records of a request in one queue call and then acks them here; until then
   * they stay in the outbox and the alarm delivers them if no ack comes.
   */
  async track(req: TrackRequest) {
    const answer = await this.afterWrite(this.service.track(req), { handOff: true });
    if (answer.status !== 'applied') return answer;
    return { ...answer, handoff: pendingChanges(this.service.store) };
  }

  /** Queued /users/track shares from an ingestion-log shard; change records handed back alike. */
  async trackLogged(req: LoggedTrackRequest) {
    const answer = await this.afterWrite(this.service.trackLogged(req), { handOff: true });
    if (answer.status !== 'applied') return answer;
    return { ...answer, handoff: pendingChanges(this.service.store) };
  }

  /** The caller delivered the handed-off records up to outbox row `upTo`. */
  ackChanges(upTo: number): void {
    ackChanges(this.service.store, upTo);
  }
  exportUser(req: ExportRequest) {
    return this.service.exportUser(req);
  }
  describe(req: Addressed) {
    return this.service.describe(req);
  }
  recipient(req: Addressed) {
    return this.service.recipient(req);
  }
  async summary(req: Addressed & { ackUpTo?: number }) {
    const answer = this.service.summary(req);
    // The ack emptied a handed-off outbox (track, send write-backs): the safety-net alarm would
    // only wake the object for nothing.
    if (req.ackUpTo !== undefined && this.alarmSet && !this.service.store.hasOutbox()) {
      this.alarmSet = false;
      await this.ctx.storage.deleteAlarm();
    }
    return answer;
  }
  async claimSend(req: Addressed & { claim: SendClaim; audience: SegmentFilter | null }) {
    const definitions =
      req.audience === null ? [] : await cachedDefinitions(this.env.DB, req.workspaceId, req.now);
    const answer = this.service.claimSend({ ...req, definitions });
    // A claim that ends the send here (control group, a control said no) recorded engagement
    // and change records: deliver them and refresh membership like any other write.
    return answer.status === 'done' ? await this.afterWrite(answer) : answer;
  }
  async completeSend(req: Addressed & { outcome: SendOutcome }) {
    // A send changes only message engagement: membership is re-evaluated only when a segment
    // of the workspace reads it (the common case is none, and this runs once per message).
    return await this.afterWrite(this.service.completeSend(req), {
      refreshIf: readsEngagement,
    });
  }
  /**
   * The batched delivery path's record of sends to this user. Like `track`, the change records
   * are handed back so the write-back consumer sends a whole message's profiles in one queue call.
   */
  async recordSends(req: Addressed & { records: SendRecord[] }) {
    const answer = await this.afterWrite(this.service.recordSends(req), {
      handOff: true,
      refreshIf: readsEngagement,
    });
    if (answer.status !== 'ok') return answer;
    return { ...answer, handoff: pendingChanges(this.service.store) };
  }
  async recordEngagement(req: Addressed & { engagement: EngagementInput }) {
    // Opens and clicks change what engagement segments read; an unsubscribe changes attributes.
    const touchesProfile = req.engagement.profileUpdate !== undefined;
    return await this.afterWrite(this.service.recordEngagement(req), {
      refreshIf: touchesProfile ? undefined : readsEngagement,
    });
  }
  // ---- Content Cards and in-app messages (src/profiles/cards.ts, in-app.ts) ----
  storeContentCard(req: Addressed & { card: NewCard }) {
    return this.service.onLive(req, (s) => putCard(s, req.card, req.now));
  }
  contentCards(req: Addressed & { removed: RemovedCampaigns; ifNoneMatch?: string }) {
    return this.service.onLive(req, (s) => {
      const feed = listCards(s, req);
      return feed.status === 'ok' && feed.pending.length > 0
        ? { ...feed, recipient: buildRecipient(s) }
        : feed;
    });
  }
  async settleContentCards(
    req: Addressed & {
      settled: ({ id: string; rendered: RenderedCard } | { id: string; aborted: string })[];
    },
  ) {
    const answer = this.service.onLive(req, (s) => {
      settleCards(s, req.settled, req.now);
      return { status: 'ok' as const };
    });
    return await this.afterWrite(answer, { refreshIf: () => false });
  }
  async contentCardEvent(
    req: Addressed & {
      cardId: string;
      event: CardEvent;
      eventId?: string;
      at: number;
      detail?: Record<string, Json>;
    },
  ) {
    const answer = this.service.onLive(req, (s) => recordCardEvent(s, req, req.now));
    return await this.afterWrite(answer, { refreshIf: readsEngagement });
  }
  storeInAppMessage(req: Addressed & { message: NewInAppMessage }) {
    return this.service.onLive(req, (s) => putInAppMessage(s, req.message, req.now));
  }
  inAppMessages(req: Addressed) {
    return this.service.onLive(req, (s) => ({
      status: 'ok' as const,
      messages: listInAppMessages(s, req.now),
    }));
  }
  inAppTemplate(req: Addressed & { id: string }) {
    return this.service.onLive(req, (s) => {
      const found = inAppTemplate(s, req.id, req.now);
      if (!found) return { status: 'message_not_found' as const };
      return { status: 'ok' as const, ...found, recipient: buildRecipient(s) };
    });
  }
  async inAppMessageEvent(
    req: Addressed & {
      id: string;
      event: 'impression' | 'click';
      buttonIndex?: number;
      eventId?: string;
      at: number;
      detail?: Record<string, Json>;
    },
  ) {
    const answer = this.service.onLive(req, (s) => recordInAppEvent(s, req, req.now));
    return await this.afterWrite(answer, { refreshIf: readsEngagement });
  }
  lastSent(req: Addressed & { channel: string }) {
    return this.service.lastSent(req);
  }
  /** Active devices whose token no other user has registered since (those are released). */
  async pushDevices(req: Addressed) {
    const answer = this.service.pushDevices(req);
    if (answer.status !== 'ok' || answer.devices.length === 0) return answer;
    const moved = await movedDevices(this.env.IDENTITY_INDEX, { ...req, devices: answer.devices });
    if (moved.length === 0) return answer;
    await this.afterWrite(this.service.releasePushTokens({ ...req, devices: moved }));
    return { ...answer, devices: answer.devices.filter((d) => !moved.includes(d)) };
  }
  async invalidatePushToken(req: Addressed & { appId: string; token: string; reason: string }) {
    return await this.afterWrite(this.service.invalidatePushToken(req));
  }
  sends(req: Addressed & { dispatchId: string }) {
    return this.service.sends(req);
  }
  async featureFlags(
    req: Addressed & { flags: FlagDefinition[]; globalControl: GlobalControlGroup | null },
  ) {
    const definitions = await cachedDefinitions(this.env.DB, req.workspaceId, req.now);
    return this.service.featureFlags({ ...req, definitions });
  }
  memberships(req: Addressed) {
    return this.service.memberships(req);
  }
  async setExternalId(req: Addressed & { externalId: string }) {
    return await this.afterWrite(this.service.setExternalId(req));
  }
  async addAlias(req: Addressed & { label: string; name: string }) {
    return await this.afterWrite(this.service.addAlias(req));
  }
  async updateAlias(req: Addressed & { label: string; oldName: string; newName: string }) {
    return await this.afterWrite(this.service.updateAlias(req));
  }
  async renameExternalId(req: Addressed & { current: string; next: string }) {
    return await this.afterWrite(this.service.renameExternalId(req));
  }
  async removeExternalId(req: Addressed & { externalId: string }) {
    return await this.afterWrite(this.service.removeExternalId(req));
  }
  beginMerge(req: Addressed) {
    return this.service.beginMerge(req);
  }
  async absorb(req: Addressed & { snapshot: MergeSnapshot }) {
    return await this.afterWrite(this.service.absorb(req));
  }
  async finishMerge(
    req: Addressed & { into: string; keepAliases: { label: string; name: string }[] },
  ) {
    return await this.afterWrite(this.service.finishMerge(req));
  }
  async deleteProfile(req: Addressed) {
    return await this.afterWrite(this.service.deleteProfile(req));
  }

  /** Deliver the outbox now; wait for it (tests and callers needing read-your-writes use this). */
  async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await flushOutbox(this.service.store, {
            sendChanges: (batches) => sendChanges(this.env.CHANGES_QUEUE, batches),
            applyDirectory: (ops) =>
              applyDirectoryOps(this.env.IDENTITY_INDEX, this.service.store.live.workspaceId, ops),
          });
        } while (this.flushAgain);
        // Delivered everything: the safety-net alarm would only wake the object for nothing.
        // The delete is issued before anything can arm it again, and storage keeps that order.
        if (this.alarmSet && !this.service.store.hasOutbox()) {
          const deleted = this.ctx.storage.deleteAlarm();
          this.alarmSet = false;
          await deleted;
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  override async alarm(): Promise<void> {
    this.alarmSet = false;
    try {
      await this.flush();
    } catch (err) {
      log('warn', 'outbox delivery failed; retrying', { error: String(err) });
    }
    if (this.service.store.hasOutbox()) await this.armAlarm();
  }

  private async armAlarm(): Promise<void> {
    if (this.alarmSet) return;
    this.alarmSet = true;
    await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
  }

  /**
   * Start delivering what a write put in the outbox. Directory updates (a new email or phone) are
   * awaited so the next request can find the user by them; change records go out in the
   * background, or are handed to the caller (`handOff`). Either way the alarm retries whatever
   * is left.
   */
  private async afterWrite<T>(
    result: T,
    opts: {
      handOff?: boolean;
      /** Re-evaluate membership only when this says the write can change it. */
      refreshIf?: (definitions: SegmentDefinition[]) => boolean;
    } = {},
  ): Promise<T> {
    const store = this.service.store;
    if (store.meta?.state === 'active') {
      // Membership is part of the write: the answer is sent only once it is known.
      const now = Date.now();
      const definitions = await cachedDefinitions(this.env.DB, store.meta.workspaceId, now);
      if (!opts.refreshIf || opts.refreshIf(definitions)) {
        this.service.refreshMemberships({ definitions, now });
      }
    }
    if (!store.meta || !store.hasOutbox()) return result;
    await this.armAlarm();
    if (store.hasDirectoryUpdates()) {
      await this.flush().catch((err) =>
        log('warn', 'directory update deferred', { error: String(err) }),
      );
    } else if (!opts.handOff) {
      this.flush().catch((err) => log('warn', 'outbox delivery deferred', { error: String(err) }));
    }
    return result;
  }
}
