import { type EvaluatedFlag, evaluateFlags } from '../flags/evaluate';
import type { FlagDefinition } from '../flags/model';
import type { Identifier } from '../ingestion/types';
import { evaluateFilter } from '../segments/evaluate';
import type { SegmentFilter } from '../segments/filters';
import { type GlobalControlGroup, inGlobalControlGroup } from './eligibility';
import { type EngagementInput, type EngagementResult, recordEngagement } from './engagement';
import { exportUser } from './export';
import { currentMemberships, refreshMemberships, type SegmentDefinition } from './membership';
import { absorb, type MergeSnapshot, snapshotForMerge } from './merge-state';
import { ackChanges } from './outbox';
import { aliasKey, type ProfileStore } from './profile-store';
import {
  activePushDevices,
  invalidatePushToken,
  type PushDevice,
  unlinkAllPushTokens,
} from './push-devices';
import { buildRecipient } from './recipient';
import type {
  AbsorbAnswer,
  Addressed,
  DescribeAnswer,
  ExportAnswer,
  ExportRequest,
  IdentityAnswer,
  LoggedTrackRequest,
  MembershipAnswer,
  MergeBeginAnswer,
  Miss,
  RecipientAnswer,
  SummaryAnswer,
  TrackAnswer,
  TrackRequest,
} from './rpc';
import { recordSends, type SendRecord } from './send-records';
import {
  type ClaimResult,
  claimSend,
  completeSend,
  type SendClaim,
  type SendOutcome,
  type SendState,
  sendsOf,
} from './sends';
import { buildSummary, lazySummary } from './summary';
import { applyTrack, type ObjectOutcome } from './track';

/**
 * The UserProfile object's behaviour, independent of the runtime shell in workers/. Every method
 * is synchronous over the object's SQLite database, so each one is atomic with respect to other
 * calls on the same profile.
 */
/** A sent message's ids, as `lastSent` answers them. */
export interface LastSent {
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
}

export class ProfileService {
  constructor(readonly store: ProfileStore) {}

  /** Check the caller reached the right live profile; optionally create it. */
  private gate(req: Addressed, create = false): Miss | null {
    const meta = this.store.meta;
    if (!meta) {
      if (!create) return { status: 'not_found' };
      this.createProfile(req);
      return null;
    }
    if (meta.state === 'merged') return { status: 'merged', into: meta.mergedInto ?? '' };
    if (meta.state === 'deleted') return { status: 'deleted' };
    if (req.addressedBy && !this.store.owns(req.addressedBy)) return { status: 'not_owner' };
    return null;
  }

  private createProfile(req: Addressed): void {
    const store = this.store;
    store.transact(() => {
      store.create({ workspaceId: req.workspaceId, profileId: req.profileId, now: req.now });
      const id = req.addressedBy;
      if (id?.kind === 'external_id') store.addIdentifier('external_id', id.value, req.now);
      if (id?.kind === 'user_alias') {
        store.addIdentifier('user_alias', aliasKey(id.label, id.name), req.now);
      }
      if (id?.kind === 'email' || id?.kind === 'phone') {
        store.putAttr({
          key: id.kind,
          custom: false,
          attr: { type: 'string', value: id.value },
          now: req.now,
        });
        store.emitIndexOp({ op: 'link', kind: id.kind, value: id.value });
      }
      store.emit({
        type: 'profile.created',
        time: req.now,
        identifiers: store.identifierSnapshot(),
      });
    });
  }

  track(req: TrackRequest): TrackAnswer {
    const created = this.store.meta === null && req.create;
    const miss = this.gate(req, req.create);
    if (miss) return miss;
    const outcomes = applyTrack(this.store, { ...req, now: req.now });
    return { status: 'applied', created, outcomes };
  }

  /**
   * Apply queued parts in order, skipping those at or below the source's mark, and move the mark
   * in the same synchronous write (the object commits it atomically with the parts).
   */
  trackLogged(req: LoggedTrackRequest): TrackAnswer {
    // All or nothing: an object that throws (rather than being refused) rolls back every part and
    // the mark with it, so the retry cannot apply an earlier part twice.
    try {
      return this.applyLogged(req);
    } catch (err) {
      this.store.reload();
      throw err;
    }
  }

  private applyLogged(req: LoggedTrackRequest): TrackAnswer {
    return this.store.transact(() => {
      const created = this.store.meta === null && req.create;
      const miss = this.gate(req, req.create);
      if (miss) return miss;
      const sql = this.store.sql;
      const mark =
        sql
          .exec<{ seq: number }>('SELECT seq FROM ingest_marks WHERE source = ?', req.source)
          .toArray()[0]?.seq ?? 0;
      const outcomes: ObjectOutcome[] = [];
      let last = mark;
      for (const part of req.parts) {
        if (part.seq <= last) continue;
        outcomes.push(...applyTrack(this.store, { ...part, settings: req.settings }));
        last = part.seq;
      }
      if (last > mark) {
        sql.exec(
          `INSERT INTO ingest_marks (source, seq) VALUES (?, ?)
           ON CONFLICT(source) DO UPDATE SET seq = excluded.seq`,
          req.source,
          last,
        );
      }
      return { status: 'applied' as const, created, outcomes };
    });
  }

  exportUser(req: ExportRequest): ExportAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', user: exportUser(this.store, { fields: req.fields, now: req.now }) };
  }

  recipient(req: Addressed): RecipientAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', recipient: buildRecipient(this.store) };
  }

  pushDevices(req: Addressed): Miss | { status: 'ok'; devices: PushDevice[] } {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', devices: activePushDevices(this.store.sql) };
  }

  invalidatePushToken(
    req: Addressed & { appId: string; token: string; reason: string },
  ): Miss | { status: 'ok'; invalidated: boolean } {
    const miss = this.gate(req);
    if (miss) return miss;
    return {
      status: 'ok',
      invalidated: this.store.transact(() => invalidatePushToken(this.store, req)),
    };
  }

  /** Release tokens another user registered since (they belong to that user now). */
  releasePushTokens(req: Addressed & { devices: PushDevice[] }): { released: number } {
    return this.store.transact(() => {
      let released = 0;
      for (const d of req.devices) {
        const reason = 'registered by another user';
        if (invalidatePushToken(this.store, { ...d, reason, now: req.now })) released++;
      }
      return { released };
    });
  }

  describe(req: Addressed): DescribeAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const meta = this.store.live;
    return {
      status: 'ok',
      identity: this.store.identity(),
      updatedAt: meta.updatedAt,
      createdAt: meta.createdAt,
    };
  }

  /** Claim a send for this user (src/profiles/sends.ts); answers the recipient to render for. */
  claimSend(
    req: Addressed & {
      claim: SendClaim;
      /** Checked against the profile as it is now; null: no audience condition. */
      audience: SegmentFilter | null;
      definitions: SegmentDefinition[];
    },
  ): Miss | ClaimResult {
    const miss = this.gate(req);
    if (miss) return miss;
    if (req.audience !== null) {
      const byId = new Map(req.definitions.map((d) => [d.id, d.filter]));
      const ctx = { now: req.now, segment: (id: string) => byId.get(id) ?? null };
      if (!evaluateFilter(req.audience, lazySummary(this.store, req.now), ctx)) {
        return { status: 'not_in_audience' };
      }
    }
    return claimSend(this.store, req.claim, req.now);
  }

  /** Record how a claimed send ended. */
  completeSend(
    req: Addressed & { outcome: SendOutcome },
  ): Miss | { status: 'ok'; applied: boolean } {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', applied: completeSend(this.store, req.outcome, req.now) };
  }

  /** The batched path's deferred record of sends it made to this user (send-records.ts). */
  recordSends(req: Addressed & { records: SendRecord[] }): Miss | { status: 'ok'; added: number } {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', added: recordSends(this.store, req.records, req.now) };
  }

  /** Record what happened to a sent message (src/profiles/engagement.ts). */
  recordEngagement(req: Addressed & { engagement: EngagementInput }): Miss | EngagementResult {
    const miss = this.gate(req);
    if (miss) return miss;
    return recordEngagement(this.store, req.engagement, req.now);
  }

  /** The send ledger rows of one dispatch. */
  sends(req: Addressed & { dispatchId: string }):
    | Miss
    | {
        status: 'ok';
        sends: { key: string; state: SendState; attempt: number; channel: string }[];
      } {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', sends: sendsOf(this.store, req.dispatchId) };
  }

  /**
   * The latest message sent to this profile on a channel (ledger rows live 30 days): inbound
   * replies such as an SMS STOP are credited to it.
   */
  lastSent(req: Addressed & { channel: string }): Miss | { status: 'ok'; sent: LastSent | null } {
    const miss = this.gate(req);
    if (miss) return miss;
    const row = this.store.sql
      .exec<{
        dispatch_id: string;
        send_id: string | null;
        campaign_id: string | null;
        variant_id: string | null;
      }>(
        `SELECT dispatch_id, send_id, campaign_id, variant_id FROM sends
         WHERE channel = ? AND state = 'sent' ORDER BY updated_at DESC LIMIT 1`,
        req.channel,
      )
      .toArray()[0];
    return {
      status: 'ok',
      sent: row
        ? {
            dispatchId: row.dispatch_id,
            sendId: row.send_id,
            campaignId: row.campaign_id,
            variantId: row.variant_id,
          }
        : null,
    };
  }

  /** This profile's segmentation summary (src/segments/summary.ts). */
  summary(req: Addressed & { ackUpTo?: number }): SummaryAnswer {
    // Acked even for tombstones: the records reached the queue either way.
    if (req.ackUpTo !== undefined && this.store.meta) ackChanges(this.store, req.ackUpTo);
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', summary: buildSummary(this.store, req.now) };
  }

  /** This user's feature flags (src/flags/evaluate.ts), segments evaluated as the profile is now. */
  featureFlags(
    req: Addressed & {
      flags: FlagDefinition[];
      globalControl: GlobalControlGroup | null;
      definitions: SegmentDefinition[];
    },
  ): Miss | { status: 'ok'; flags: EvaluatedFlag[] } {
    const miss = this.gate(req);
    if (miss) return miss;
    const byId = new Map(req.definitions.map((d) => [d.id, d.filter]));
    const ctx = { now: req.now, segment: (id: string) => byId.get(id) ?? null };
    const summary = lazySummary(this.store, req.now);
    const inSegment = (id: string) => {
      const filter = byId.get(id);
      return filter ? evaluateFilter(filter, summary, ctx) : false;
    };
    const live = this.store.live;
    const inGlobalControl =
      req.globalControl !== null && inGlobalControlGroup(live.randomBucket, req.globalControl);
    return {
      status: 'ok',
      flags: evaluateFlags(req.flags, { profileId: live.profileId, inGlobalControl, inSegment }),
    };
  }

  /** The segments this profile is in now. */
  memberships(req: Addressed): MembershipAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', segments: currentMemberships(this.store) };
  }

  /** Re-evaluate segment membership after a change; no-op for tombstones. */
  refreshMemberships(input: { definitions: SegmentDefinition[]; now: number }): void {
    if (this.store.meta?.state !== 'active') return;
    refreshMemberships(this.store, input);
  }

  /** Give an unidentified profile its external_id (identify without an existing target). */
  setExternalId(req: Addressed & { externalId: string }): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const store = this.store;
    const current = store.identity().externalId;
    if (current === req.externalId) return { status: 'ok' };
    if (current !== null) return { status: 'error', reason: 'profile already has an external_id' };
    store.transact(() => {
      store.addIdentifier('external_id', req.externalId, req.now);
      store.emit({
        type: 'identity.changed',
        time: req.now,
        change: 'external_id_set',
        identifiers: store.identifierSnapshot(),
        detail: { external_id: req.externalId },
      });
      store.touch(req.now);
    });
    return { status: 'ok' };
  }

  /** Add an alias; a profile holds one alias name per label. */
  addAlias(req: Addressed & { label: string; name: string }): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const store = this.store;
    const existing = store.aliasWithLabel(req.label);
    if (existing === req.name) return { status: 'ok' };
    if (existing !== null) {
      return { status: 'error', reason: `user already has an alias with label ${req.label}` };
    }
    store.transact(() => {
      store.addIdentifier('user_alias', aliasKey(req.label, req.name), req.now);
      store.emit({
        type: 'identity.changed',
        time: req.now,
        change: 'alias_added',
        identifiers: store.identifierSnapshot(),
        detail: { alias_label: req.label, alias_name: req.name },
      });
      store.touch(req.now);
    });
    return { status: 'ok' };
  }

  /** Rename an alias within its label. */
  updateAlias(
    req: Addressed & { label: string; oldName: string; newName: string },
  ): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const store = this.store;
    store.transact(() => {
      store.sql.exec(
        `UPDATE identifiers SET value = ? WHERE kind = 'user_alias' AND value = ?`,
        aliasKey(req.label, req.newName),
        aliasKey(req.label, req.oldName),
      );
      store.emit({
        type: 'identity.changed',
        time: req.now,
        change: 'alias_updated',
        identifiers: store.identifierSnapshot(),
        detail: {
          alias_label: req.label,
          old_alias_name: req.oldName,
          new_alias_name: req.newName,
        },
      });
      store.touch(req.now);
    });
    return { status: 'ok' };
  }

  /** Make `next` the primary external_id; the current one becomes deprecated. */
  renameExternalId(req: Addressed & { current: string; next: string }): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const store = this.store;
    if (store.identity().externalId !== req.current) {
      return { status: 'error', reason: 'current_external_id is not a primary external_id' };
    }
    store.transact(() => {
      store.sql.exec(
        `UPDATE identifiers SET status = 'deprecated' WHERE kind = 'external_id' AND value = ?`,
        req.current,
      );
      store.addIdentifier('external_id', req.next, req.now);
      store.emit({
        type: 'identity.changed',
        time: req.now,
        change: 'external_id_renamed',
        identifiers: store.identifierSnapshot(),
        detail: { old_external_id: req.current, new_external_id: req.next },
      });
      store.touch(req.now);
    });
    return { status: 'ok' };
  }

  /** Remove a deprecated external_id; a primary one cannot be removed. */
  removeExternalId(req: Addressed & { externalId: string }): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const store = this.store;
    const id = store.identity();
    if (id.externalId === req.externalId) {
      return { status: 'error', reason: 'primary external_ids cannot be removed' };
    }
    if (!id.deprecatedExternalIds.includes(req.externalId)) {
      return { status: 'error', reason: 'external_id is not a deprecated external_id' };
    }
    store.transact(() => {
      store.sql.exec(
        `DELETE FROM identifiers WHERE kind = 'external_id' AND value = ?`,
        req.externalId,
      );
      store.emitIndexOp({ op: 'release', kind: 'external_id', value: req.externalId });
      store.emit({
        type: 'identity.changed',
        time: req.now,
        change: 'external_id_removed',
        identifiers: store.identifierSnapshot(),
        detail: { external_id: req.externalId },
      });
    });
    return { status: 'ok' };
  }

  /** First half of a merge: hand over this profile's data (nothing changes here yet). */
  beginMerge(req: Addressed): MergeBeginAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    return { status: 'ok', snapshot: snapshotForMerge(this.store) };
  }

  /** Second half, on the kept profile: take the merged profile's data in. */
  absorb(req: Addressed & { snapshot: MergeSnapshot }): AbsorbAnswer {
    const miss = this.gate(req);
    if (miss) return miss;
    const result = this.store.transact(() => absorb(this.store, req.snapshot, req.now));
    return { status: 'ok', aliases: result.aliases };
  }

  /**
   * Last step of a merge, on the merged profile: become a tombstone pointing at the kept one and
   * release the identifiers the kept profile did not take. Idempotent.
   */
  finishMerge(req: Addressed & { into: string; keepAliases: { label: string; name: string }[] }) {
    const meta = this.store.meta;
    if (!meta) return { status: 'not_found' } as const;
    if (meta.state === 'merged') return { status: 'ok' } as const;
    this.retire(
      req,
      (store) => {
        store.live.state = 'merged';
        store.live.mergedInto = req.into;
        store.emit({ type: 'profile.orphaned', time: req.now, merged_into: req.into });
      },
      req.keepAliases,
    );
    return { status: 'ok' } as const;
  }

  /** Delete this profile: wipe its data and release its identifiers. Idempotent. */
  deleteProfile(req: Addressed): IdentityAnswer {
    const miss = this.gate(req);
    if (miss) return miss.status === 'deleted' ? { status: 'ok' } : miss;
    this.retire(
      req,
      (store) => {
        store.live.state = 'deleted';
        store.emit({ type: 'profile.deleted', time: req.now });
      },
      [],
    );
    return { status: 'ok' };
  }

  private retire(
    req: Addressed,
    mark: (store: ProfileStore) => void,
    keepAliases: { label: string; name: string }[],
  ): void {
    const store = this.store;
    store.transact(() => {
      const id = store.identity();
      const kept = new Set(keepAliases.map((a) => aliasKey(a.label, a.name)));
      for (const ext of [id.externalId, ...id.deprecatedExternalIds]) {
        if (ext !== null) store.emitIndexOp({ op: 'release', kind: 'external_id', value: ext });
      }
      for (const a of id.aliases) {
        const key = aliasKey(a.label, a.name);
        if (!kept.has(key)) store.emitIndexOp({ op: 'release', kind: 'user_alias', value: key });
      }
      if (id.email) store.emitIndexOp({ op: 'unlink', kind: 'email', value: id.email });
      if (id.phone) store.emitIndexOp({ op: 'unlink', kind: 'phone', value: id.phone });
      unlinkAllPushTokens(store);
      store.wipe();
      mark(store);
      store.touch(req.now);
    });
  }

  /**
   * Run `fn` on the live profile the request addressed: the Content Card feed and in-app
   * messages (src/profiles/cards.ts, in-app.ts) are kept only for live profiles.
   */
  onLive<T>(req: Addressed, fn: (store: ProfileStore) => T): Miss | T {
    return this.gate(req) ?? fn(this.store);
  }

  /** True when the profile answers to `identifier`. */
  owns(identifier: Identifier): boolean {
    return this.store.meta !== null && this.store.owns(identifier);
  }
}
