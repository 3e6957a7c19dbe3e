import { campaignStatStatements, type StatEntry } from '../campaigns/stats';
import type { Identifier } from '../ingestion/types';
import { log } from '../lib/log';
import { profileStub } from '../lib/stubs';
import { type RenderSources, renderFields } from '../personalization/render';
import { buildScope, type MessageContext } from '../personalization/scope';
import { workspaceSources } from '../personalization/workspace-sources';
import type { SendControls } from '../profiles/eligibility';
import type { ClaimResult, SendOutcome } from '../profiles/sends';
import { pageMatching } from '../segments/query';
import { isMiss, withProfile } from '../users/locate';
import { getWorkspace, type Workspace } from '../workspaces/store';
import { deliverBatched, ledgerChoice } from './batch-send';
import { HostBreaker } from './breaker';
import type { ChannelEnv, ChannelSender } from './channel';
import type { Channel } from './channels';
import {
  addDeadLetter,
  advanceCursor,
  apiSendId,
  type Dispatch,
  dispatchChannels,
  fixLedger,
  getDispatch,
} from './dispatch-store';
import {
  type DeliverMessage,
  DeliveryMessage,
  EXPAND_PAGE,
  EXPAND_RECIPIENTS_PER_MESSAGE,
  type QueuedRecipient,
} from './queue';
import { SENDERS } from './senders';
import { callWebhook, WebhookMemo } from './webhook';
import { writeBack } from './write-back';

/**
 * The delivery consumer. For each recipient of a `deliver` message it claims the send in the
 * user's profile (idempotency, audience re-check), renders the message with the personalization
 * engine and calls the channel, then records the outcome in the profile. `expand` messages page
 * a dispatch's audience from the segment index into `deliver` messages.
 */

export interface DeliveryBindings {
  DB: D1Database;
  USER_PROFILE: Env['USER_PROFILE'];
  IDENTITY_INDEX: Env['IDENTITY_INDEX'];
  DELIVERY_QUEUE: Queue;
  /** The batched path's write-back to the profiles (write-back.ts), and its change records. */
  SEND_RECORDS_QUEUE: Queue;
  CHANGES_QUEUE: Env['CHANGES_QUEUE'];
  /** Seconds the write-back trails the sends (wrangler.toml). */
  HERALD_WRITE_BACK_DELAY_SECONDS?: string;
  /** Seconds before a channel's first retry; each next retry waits three times longer. */
  HERALD_RETRY_BASE_SECONDS?: string;
  /** The Worker's public origin, for tracking links (wrangler.toml). */
  HERALD_PUBLIC_URL?: string;
}

/** Recipients rendered and sent at once within one consumer invocation. */
const CONCURRENCY = 16;

/** Rate-limited sends still waiting this long after the dispatch are aborted (contract §3.5.3). */
const RATE_LIMIT_ABORT_MS = 72 * 3_600_000;

/** The longest delay a queue message may carry. */
const MAX_QUEUE_DELAY_S = 43_200;

/** Longest wait before a retry: Braze retries webhooks within 30 minutes. */
const MAX_RETRY_DELAY_S = 1_800;

/** Per consumer isolate: host health is tracked where the calls are made. */
const breaker = new HostBreaker();

export function retryDelaySeconds(
  base: number,
  attempt: number,
  retryAfterMs: number | null,
): number {
  const backoff = base * 3 ** (attempt - 1);
  const asked = retryAfterMs === null ? 0 : Math.ceil(retryAfterMs / 1_000);
  return Math.min(MAX_RETRY_DELAY_S, Math.max(backoff, asked));
}

export function retryBase(env: DeliveryBindings): number {
  const n = Number(env.HERALD_RETRY_BASE_SECONDS ?? '30');
  return Number.isFinite(n) && n >= 0 ? n : 30;
}

/** The controls a profile applies to one channel's send of this dispatch. */
export function controlsFor(
  dispatch: Pick<Dispatch, 'controls' | 'messages'>,
  workspace: Workspace,
  channel: Channel,
  recipient: QueuedRecipient,
): SendControls {
  const c = dispatch.controls;
  // Content Cards and in-app messages are neither capped nor held for quiet hours (§5.5, §5.6).
  const inProfile = channel === 'content_card' || channel === 'in_app_message';
  const override = c.override_frequency_capping === true || inProfile;
  const subscription =
    channel === 'email'
      ? ('email_subscribe' as const)
      : channel === 'apple_push' || channel === 'android_push' || channel === 'web_push'
        ? ('push_subscribe' as const)
        : null;
  return {
    frequencyCaps: override ? [] : workspace.settings.frequency_capping_rules,
    // Braze's current default: messages that ignore caps do not count toward them.
    countsTowardCaps: c.counts_toward_caps ?? !override,
    tags: c.tags ?? [],
    quietHours: inProfile ? null : (c.quiet_hours ?? null),
    ...(c.reeligible_after_seconds !== undefined
      ? { reeligibleAfterSeconds: c.reeligible_after_seconds }
      : {}),
    subscription:
      subscription === null
        ? null
        : { attribute: subscription, state: c.recipient_subscription_state ?? 'subscribed' },
    ...(channel === 'sms' ? { subscriptionGroup: smsGroupOf(dispatch) } : {}),
    companyTimeZone: workspace.settings.company_time_zone,
    ...(c.trigger && recipient.triggered_at !== undefined
      ? {
          trigger: {
            at: recipient.triggered_at,
            delay: c.trigger.delay,
            exceptionEvents: c.trigger.exception_events,
            timeZone: c.trigger.time_zone,
            endAt: c.trigger.end_at,
          },
        }
      : {}),
    ...(c.local_time
      ? {
          localTime: {
            date: c.local_time.date,
            time: c.local_time.time,
            timeZone: c.local_time.time_zone,
            dueAt: c.local_time.due_at,
            ...(c.local_time.optimal ? { optimal: true } : {}),
            inLocalTime: true,
          },
        }
      : {}),
  };
}

/** The subscription group of the dispatch's first SMS message (a campaign's variants share one). */
function smsGroupOf(dispatch: Pick<Dispatch, 'messages'>): string | null {
  for (const v of dispatch.messages.variants) {
    const sms = v.messages.sms as { subscription_group_id?: unknown } | undefined;
    if (typeof sms?.subscription_group_id === 'string') return sms.subscription_group_id;
  }
  return null;
}

interface Tally {
  deferred: number;
  sent: number;
  aborted: number;
  failed: number;
  retried: number;
  skipped: number;
}

export async function consumeDeliveries(
  batch: MessageBatch<unknown>,
  env: DeliveryBindings,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = DeliveryMessage.safeParse(message.body);
      if (!parsed.success) {
        log('error', 'invalid delivery message dropped', { message_id: message.id });
        message.ack();
        return;
      }
      try {
        if (parsed.data.type === 'record') {
          await writeBack(env, parsed.data);
          message.ack();
        } else if (parsed.data.type === 'deliver') {
          const tally = await deliver(env, parsed.data);
          log('info', 'delivery batch done', {
            dispatch_id: parsed.data.dispatch_id,
            channel: parsed.data.channel,
            attempt: parsed.data.attempt,
            ...tally,
          });
          message.ack();
        } else {
          const outcome = await expand(env, parsed.data);
          if (outcome === 'wait') await waitForEarlierPage(env, parsed.data);
          message.ack();
        }
      } catch (err) {
        log('warn', 'delivery message failed; the queue retries it', {
          type: parsed.data.type,
          dispatch_id: parsed.data.dispatch_id,
          error: String(err),
        });
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }),
  );
}

/** Isolate cache of workspaces (settings change rarely; 30 s staleness is fine for sends). */
const workspaces = new Map<string, { at: number; ws: Workspace | null }>();

async function workspaceOf(db: D1Database, id: string, now: number): Promise<Workspace | null> {
  const hit = workspaces.get(id);
  if (hit && now - hit.at < 30_000) return hit.ws;
  const ws = await getWorkspace(db, id);
  workspaces.set(id, { at: now, ws });
  return ws;
}

async function deliver(env: DeliveryBindings, m: DeliverMessage): Promise<Tally> {
  const tally: Tally = { deferred: 0, sent: 0, aborted: 0, failed: 0, retried: 0, skipped: 0 };
  const now = Date.now();
  const [dispatch, workspace] = await Promise.all([
    getDispatch(env.DB, m.workspace_id, m.dispatch_id),
    workspaceOf(env.DB, m.workspace_id, now),
  ]);
  if (!dispatch || !workspace) {
    log('error', 'delivery for an unknown dispatch or workspace dropped', {
      workspace_id: m.workspace_id,
      dispatch_id: m.dispatch_id,
    });
    return tally;
  }
  const sender = SENDERS[m.channel];
  if (!sender || !dispatchChannels(dispatch.messages).includes(m.channel)) {
    log('error', 'dispatch has no message for this channel', {
      dispatch_id: m.dispatch_id,
      channel: m.channel,
    });
    return tally;
  }
  const ctx: SendContext = {
    env,
    dispatch,
    workspace,
    channel: m.channel,
    sender,
    attempt: m.attempt,
    tally,
    stats: new Map(),
    prepared: new Map(),
  };
  const ledger = await fixLedger(env.DB, dispatch, ledgerChoice(dispatch, workspace, m));
  if (ledger === 'batch') {
    // Writes the campaign statistics itself, with the claims' final states.
    await deliverBatched(ctx, m, now);
    return tally;
  }
  const again: QueuedRecipient[] = [];
  let next = 0;
  const worker = async () => {
    while (next < m.recipients.length) {
      const recipient = m.recipients[next++]!;
      try {
        await deliverOne(ctx, recipient);
      } catch (err) {
        // A profile or D1 hiccup: this recipient goes round again; the ledger stops a repeat.
        log('warn', 'recipient deferred', { dispatch_id: m.dispatch_id, error: String(err) });
        again.push(recipient);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, m.recipients.length) }, worker));
  // Statistics are best effort: a failure here must not send the batch round again.
  await flushStats(ctx, now).catch((err) =>
    log('warn', 'campaign statistics not recorded', { error: String(err) }),
  );
  if (again.length > 0) {
    await env.DELIVERY_QUEUE.send({ ...m, recipients: again }, { delaySeconds: 5 });
    tally.retried += again.length;
  }
  return tally;
}

export interface SendContext {
  /** Campaign statistics counted in this batch: `field\nvariant` → count. */
  stats: Map<string, number>;
  /** The workspace's Liquid sources (catalogs, Content Blocks, Connected Content), once per batch. */
  sources?: RenderSources;
  /** The message context of recipients without their own properties (`messageContext`). */
  sharedContext?: MessageContext;
  /** What the channel's sender may use, made once per batch (its webhook memo lives as long). */
  channelEnv?: ChannelEnv;
  /** Each variant's message as the sender prepared it, once per batch (`ChannelSender.prepare`). */
  prepared: Map<unknown, Promise<{ message: unknown } | { failed: string }>>;
  /** Each message's template fields (`ChannelSender.templates`), once per batch. */
  fields?: WeakMap<object, Record<string, string>>;
  /** HERALD_PUBLIC_URL without its trailing slashes, once per batch. */
  publicUrl?: string;
  env: DeliveryBindings;
  dispatch: Dispatch;
  workspace: Workspace;
  channel: Channel;
  sender: ChannelSender<never>;
  attempt: number;
  tally: Tally;
}

async function deliverOne(ctx: SendContext, r: QueuedRecipient): Promise<void> {
  const { env, dispatch, workspace } = ctx;
  const now = Date.now();
  const variants = dispatch.messages.variants;
  const control = dispatch.messages.control;
  const gcg = workspace.settings.global_control_group;
  const withholdsGcg =
    control?.respects_global_control === true &&
    gcg !== null &&
    !(dispatch.controls.tags ?? []).some((t) => gcg.exclusion_tags.includes(t));
  let profileId = '';
  const claim = (id: string, addressedBy: Identifier | null) => {
    profileId = id;
    return profileStub(env.USER_PROFILE, dispatch.workspaceId, id).claimSend({
      workspaceId: dispatch.workspaceId,
      profileId: id,
      addressedBy,
      now,
      audience: dispatch.audience,
      claim: {
        controls: controlsFor(dispatch, workspace, ctx.channel, r),
        ...(dispatch.controls.conversions ? { conversions: dispatch.controls.conversions } : {}),
        ...(r.trigger_id !== undefined
          ? { dedupeId: `${dispatch.campaignId ?? ''}:${r.trigger_id}` }
          : {}),
        dispatchId: dispatch.id,
        sendId: dispatch.sendId,
        campaignId: dispatch.campaignId,
        variantId: variants[0]!.id,
        channel: ctx.channel,
        attempt: ctx.attempt,
        ...(control && dispatch.campaignId !== null
          ? {
              assignment: {
                plan: {
                  campaignId: dispatch.campaignId,
                  variants: variants.map((v) => ({ id: v.id ?? '', percentage: v.percentage })),
                  controlPercentage: control.percentage,
                  respectsGlobalControl: withholdsGcg,
                },
                controlVariationId: control.variation_id,
                globalControl: withholdsGcg ? gcg : null,
              },
            }
          : {}),
      },
    });
  };
  let answer: ClaimResult | { status: string };
  if (r.profile_id !== undefined) {
    answer = await claim(r.profile_id, null);
  } else if (r.id !== undefined) {
    const id = r.id;
    answer = await withProfile(
      { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX },
      { workspaceId: dispatch.workspaceId, id, now },
      (pid) => claim(pid, id),
    );
  } else {
    answer = { status: 'not_found' };
  }
  if (isMiss(answer) || answer.status !== 'claimed') {
    if (answer.status === 'in_flight') {
      const wait = (answer as Extract<ClaimResult, { status: 'in_flight' }>).retryAfterMs;
      await env.DELIVERY_QUEUE.send(
        { ...deliverMessageFor(ctx, r), attempt: ctx.attempt },
        { delaySeconds: Math.min(MAX_RETRY_DELAY_S, Math.ceil(wait / 1_000)) },
      );
      ctx.tally.retried++;
    } else if (answer.status === 'deferred') {
      // Quiet hours with "send when they end". Queues delay at most 12 hours; a longer wait
      // simply defers again when it comes back.
      const until = (answer as Extract<ClaimResult, { status: 'deferred' }>).untilMs;
      await env.DELIVERY_QUEUE.send(
        { ...deliverMessageFor(ctx, r), attempt: ctx.attempt },
        {
          delaySeconds: Math.min(MAX_QUEUE_DELAY_S, Math.max(1, Math.ceil((until - now) / 1_000))),
        },
      );
      ctx.tally.deferred++;
    } else {
      ctx.tally.skipped++;
      const done = answer as Extract<ClaimResult, { status: 'done' }>;
      if (done.status === 'done' && done.decided && done.state === 'control') {
        countStat(ctx, 'enrolled', dispatch.messages.control?.variation_id);
      }
    }
    return;
  }
  const claimed = answer as Extract<ClaimResult, { status: 'claimed' }>;
  const variant = variants.find((v) => v.id === claimed.variantId) ?? variants[0]!;
  const message = variant.messages[ctx.channel] as { message_variation_id?: string } | undefined;
  const outcome: ChannelOutcome = message
    ? await sendOne(ctx, message, r, claimed, profileId, now)
    : { result: 'aborted', reason: `the variant has no ${ctx.channel} message` };
  const result: SendOutcome = {
    key: claimed.key,
    attempt: ctx.attempt,
    ...outcome,
  };
  if (outcome.result === 'retry') {
    if (ctx.attempt >= ctx.sender.maxAttempts) {
      result.result = 'failed';
      result.reason = `gave up after ${ctx.attempt} attempts: ${outcome.reason ?? ''}`;
      await addDeadLetter(env.DB, {
        id: crypto.randomUUID(),
        workspaceId: dispatch.workspaceId,
        dispatchId: dispatch.id,
        channel: ctx.channel,
        recipient: { ...r, id: undefined, profile_id: profileId },
        reason: outcome.reason ?? 'retries exhausted',
        status: outcome.status ?? null,
        attempts: ctx.attempt,
        failedAt: Date.now(),
      });
    } else {
      const delay = retryDelaySeconds(retryBase(env), ctx.attempt, outcome.retryAfterMs ?? null);
      await env.DELIVERY_QUEUE.send(
        {
          // The retry names the profile the claim settled on; everything else rides along.
          ...deliverMessageFor(ctx, { ...r, id: undefined, profile_id: profileId }),
          attempt: ctx.attempt + 1,
        },
        { delaySeconds: delay },
      );
    }
  }
  delete (result as { retryAfterMs?: unknown }).retryAfterMs;
  await completeWithRetry(env, dispatch.workspaceId, profileId, result);
  if (dispatch.controls.transactional && result.result !== 'retry') {
    await postTransactionalEvent(ctx, result).catch((err) =>
      log('warn', 'transactional postback failed', {
        dispatch_id: dispatch.id,
        error: String(err),
      }),
    );
  }
  const field = result.result === 'retry' ? 'retried' : result.result;
  ctx.tally[field]++;
  const variation = message?.message_variation_id ?? variant.id ?? undefined;
  if (result.result === 'sent') {
    countStat(ctx, 'sent', variation);
    countStat(ctx, 'unique_recipients', undefined);
  }
  if (result.result === 'failed' && ctx.channel === 'webhook') {
    countStat(ctx, 'errors', variation);
  }
}

/**
 * Braze's transactional HTTP event postback (contract §3.10.7): `sent` once the provider took
 * the email, `aborted` with a reason when it could not go (no address, a Liquid abort, the
 * provider refused it). One attempt, through the webhook address guard and breaker.
 */
async function postTransactionalEvent(ctx: SendContext, result: SendOutcome): Promise<void> {
  const url = ctx.workspace.settings.transactional_postback_url;
  if (!url) return;
  const at = new Date().toISOString();
  const sent = result.result === 'sent';
  const body = {
    dispatch_id: ctx.dispatch.id,
    status: sent ? 'sent' : 'aborted',
    metadata: {
      ...(ctx.dispatch.controls.transactional?.external_send_id
        ? { external_send_id: ctx.dispatch.controls.transactional.external_send_id }
        : {}),
      campaign_api_id: ctx.dispatch.campaignId,
      ...(sent ? { sent_at: at } : { aborted_at: at, reason: result.reason ?? result.result }),
    },
  };
  const call = await callWebhook(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
    {
      workspaceId: ctx.workspace.id,
      allowlist: ctx.workspace.settings.connected_content_allowlist,
      breaker,
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
    },
  );
  if (call.outcome !== 'delivered') {
    log('warn', 'transactional postback not accepted', { dispatch_id: ctx.dispatch.id, ...call });
  }
}

/** Count a campaign statistic for this batch (written once per batch, `flushStats`). */
export function countStat(
  ctx: SendContext,
  field: string,
  variant: string | undefined,
  n = 1,
): void {
  if (ctx.dispatch.campaignId === null || n === 0) return;
  const key = `${field}\n${variant ?? ''}`;
  ctx.stats.set(key, (ctx.stats.get(key) ?? 0) + n);
}

/**
 * Add a batch's counts to the campaign's daily statistics (`/campaigns/data_series`) and, for an
 * API send with a `send_id`, to the send's (`/sends/data_series`): one D1 batch.
 */
async function flushStats(ctx: SendContext, now: number): Promise<void> {
  const statements = statStatements(ctx, now);
  if (statements.length > 0) await ctx.env.DB.batch(statements);
}

/** `flushStats`'s statements, for the batched path's own D1 batch. */
export function statStatements(ctx: SendContext, now: number): D1PreparedStatement[] {
  const campaignId = ctx.dispatch.campaignId;
  if (campaignId === null || ctx.stats.size === 0) return [];
  const entries: StatEntry[] = [];
  for (const [key, delta] of ctx.stats) {
    const [field, variant] = key.split('\n') as [string, string];
    const base = { workspaceId: ctx.dispatch.workspaceId, campaignId, day: now, delta };
    entries.push(
      field === 'unique_recipients'
        ? { ...base, channel: null, field }
        : ({ ...base, channel: ctx.channel, field, variant: variant || undefined } as StatEntry),
    );
  }
  return campaignStatStatements(ctx.env.DB, entries, { sendId: apiSendId(ctx.dispatch) });
}

function deliverMessageFor(ctx: SendContext, r: QueuedRecipient): DeliverMessage {
  return {
    v: 1,
    type: 'deliver',
    workspace_id: ctx.dispatch.workspaceId,
    dispatch_id: ctx.dispatch.id,
    channel: ctx.channel,
    attempt: ctx.attempt,
    recipients: [r],
  };
}

/** The outcome is what stops a second send: try hard to record it. */
async function completeWithRetry(
  env: DeliveryBindings,
  workspaceId: string,
  profileId: string,
  outcome: SendOutcome,
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await profileStub(env.USER_PROFILE, workspaceId, profileId).completeSend({
        workspaceId,
        profileId,
        addressedBy: null,
        now: Date.now(),
        outcome,
      });
      return;
    } catch (err) {
      if (i >= 2) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** i));
    }
  }
}

export type ChannelOutcome = Omit<SendOutcome, 'key' | 'attempt'> & {
  retryAfterMs?: number | null;
};

/**
 * The Liquid message context of a recipient's render: the dispatch's, with the recipient's own
 * trigger or event properties and the message's links; shared by the recipients that have none.
 */
function messageContext(
  ctx: SendContext,
  r: QueuedRecipient,
  links: MessageContext['links'] | undefined,
): MessageContext {
  const { dispatch } = ctx;
  const own = links !== undefined || r.trigger_properties || r.event_properties;
  if (!own && ctx.sharedContext) return ctx.sharedContext;
  const context = {
    ...dispatch.context,
    ...(links ? { links } : {}),
    campaign: { ...dispatch.context.campaign, dispatch_id: dispatch.id },
    api_trigger_properties: r.trigger_properties ?? dispatch.context.api_trigger_properties,
    ...(r.event_properties ? { event_properties: r.event_properties } : {}),
  };
  if (!own) ctx.sharedContext = context;
  return context;
}

/** What the channel's sender may use, made once per deliver message. */
function channelEnvOf(ctx: SendContext): ChannelEnv {
  ctx.channelEnv ??= {
    DB: ctx.env.DB,
    fetch: (input, init) => fetch(input, init),
    breaker,
    now: Date.now,
    USER_PROFILE: ctx.env.USER_PROFILE,
    webhookMemo: new WebhookMemo(),
  };
  return ctx.channelEnv;
}

/** The sender's template fields of a message: the same for every recipient of the batch. */
function templatesOf(ctx: SendContext, message: unknown): Record<string, string> {
  if (message === null || typeof message !== 'object')
    return ctx.sender.templates(message as never);
  ctx.fields ??= new WeakMap();
  let fields = ctx.fields.get(message);
  if (!fields) {
    fields = ctx.sender.templates(message as never);
    ctx.fields.set(message, fields);
  }
  return fields;
}

/** Render the channel's templates for this recipient and hand them to its sender. */
export async function sendOne(
  ctx: SendContext,
  message: unknown,
  r: QueuedRecipient,
  claimed: Extract<ClaimResult, { status: 'claimed' }>,
  profileId: string,
  now: number,
): Promise<ChannelOutcome> {
  const { dispatch, workspace, sender } = ctx;
  if (sender.prepare) {
    let prepared = ctx.prepared.get(message);
    if (!prepared) {
      prepared = sender.prepare(message as never, {
        DB: ctx.env.DB,
        workspaceId: dispatch.workspaceId,
      });
      ctx.prepared.set(message, prepared);
    }
    const ready = await prepared;
    if ('failed' in ready) return { result: 'failed', status: null, reason: ready.failed };
    message = ready.message;
  }
  const tracking = {
    workspaceId: dispatch.workspaceId,
    profileId,
    channel: sender.channel,
    dispatchId: dispatch.id,
    sendId: dispatch.sendId,
    campaignId: dispatch.campaignId,
    // The variation campaign statistics count under (as `sent` is counted in deliverOne).
    variantId:
      (message as { message_variation_id?: string } | null)?.message_variation_id ??
      claimed.variantId,
  };
  ctx.publicUrl ??= (ctx.env.HERALD_PUBLIC_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
  const publicUrl = ctx.publicUrl;
  const links = sender.messageLinks
    ? await sender.messageLinks({ tracking, publicUrl, workspace, DB: ctx.env.DB })
    : undefined;
  const context = messageContext(ctx, r, links);
  const scope = buildScope(claimed.recipient, context);
  ctx.sources ??= workspaceSources(ctx.env.DB, workspace);
  const rendered = await renderFields({
    fields: templatesOf(ctx, message),
    scope,
    now,
    sources: ctx.sources,
  });
  const extras = rendered.extras;
  if (rendered.aborted) {
    return { result: 'aborted', reason: rendered.aborted.reason, messageExtras: extras };
  }
  const out: Record<string, string> = {};
  for (const [name, f] of Object.entries(rendered.fields)) {
    if (!f.ok) return { result: 'aborted', reason: `${name}: ${f.error}`, messageExtras: extras };
    out[name] = f.output;
  }
  const result = await sender.send(
    {
      message: message as never,
      rendered: out,
      recipient: claimed.recipient,
      profileId,
      workspace,
      dispatchId: dispatch.id,
      campaignId: dispatch.campaignId,
      sendKey: claimed.key,
      attempt: ctx.attempt,
      tracking,
      publicUrl,
      context,
      transactional: dispatch.controls.transactional !== undefined,
    },
    channelEnvOf(ctx),
  );
  switch (result.result) {
    case 'sent':
      return {
        result: 'sent',
        status: result.status,
        messageExtras: extras,
        ...(result.detail ? { detail: result.detail } : {}),
      };
    case 'aborted':
      return {
        result: 'aborted',
        reason: result.reason,
        messageExtras: extras,
        ...(result.detail ? { detail: result.detail } : {}),
      };
    case 'retry':
      return {
        result: 'retry',
        status: result.status,
        reason: result.reason,
        retryAfterMs: result.retryAfterMs,
        messageExtras: extras,
      };
    case 'failed':
      return {
        result: 'failed',
        status: result.status,
        reason: result.reason,
        messageExtras: extras,
      };
  }
}

/** Deliver messages per `sendBatch` call when a page is expanded. */
const EXPAND_SEND_BATCH = 40;

/**
 * Page the dispatch's audience into deliver messages. Pages chain: each sends the next before it
 * advances the cursor, so a crash between the two repeats a page (the ledger drops the repeats)
 * and never loses one. 'wait' means an earlier page has not committed yet.
 */
async function expand(
  env: DeliveryBindings,
  m: Extract<DeliveryMessage, { type: 'expand' }>,
): Promise<'done' | 'wait' | 'stale'> {
  const dispatch = await getDispatch(env.DB, m.workspace_id, m.dispatch_id, { fresh: true });
  if (dispatch?.status !== 'expanding') return 'stale';
  if (dispatch.cursor !== m.after) {
    const behind = dispatch.cursor === null || (m.after !== null && dispatch.cursor < m.after);
    return behind ? 'wait' : 'stale';
  }
  const now = Date.now();
  // A campaign's delivery speed (contract §3.5.3): one minute's worth of recipients per page,
  // the next page a minute later; each channel gets the full rate. Sends still waiting after
  // 72 hours are aborted, as Braze does.
  const rate = dispatch.controls.rate_limit_per_minute ?? null;
  const pageSize = rate === null ? EXPAND_PAGE : Math.min(EXPAND_PAGE, rate);
  if (rate !== null && now - dispatch.createdAt > RATE_LIMIT_ABORT_MS) {
    log('warn', 'rate-limited dispatch aborted after 72 hours', {
      dispatch_id: dispatch.id,
      enqueued: dispatch.enqueued,
    });
    await advanceCursor(env.DB, {
      id: dispatch.id,
      from: m.after,
      to: m.after,
      added: 0,
      done: true,
      now,
    });
    return 'done';
  }
  const page = await pageMatching(env.DB, {
    workspaceId: dispatch.workspaceId,
    // No audience: every profile of the workspace (an empty AND is true in both evaluators).
    filter: dispatch.audience ?? { AND: [] },
    now,
    after: m.after,
    limit: pageSize,
  });
  const bodies: DeliverMessage[] = [];
  for (let i = 0; i < page.length; i += EXPAND_RECIPIENTS_PER_MESSAGE) {
    for (const channel of dispatchChannels(dispatch.messages)) {
      bodies.push({
        v: 1,
        type: 'deliver',
        workspace_id: dispatch.workspaceId,
        dispatch_id: dispatch.id,
        channel,
        attempt: 1,
        recipients: page
          .slice(i, i + EXPAND_RECIPIENTS_PER_MESSAGE)
          .map((p) => ({ profile_id: p.profileId })),
      });
    }
  }
  // `sendBatch` takes 256 KB per call: 40 messages of 100 profile ids (~5 KB each) stay under it
  // whatever the number of channels.
  for (let i = 0; i < bodies.length; i += EXPAND_SEND_BATCH) {
    await env.DELIVERY_QUEUE.sendBatch(
      bodies.slice(i, i + EXPAND_SEND_BATCH).map((body) => ({ body })),
    );
  }
  const done = page.length < pageSize;
  const to = page.length > 0 ? page[page.length - 1]!.profileId : m.after;
  if (!done) {
    await env.DELIVERY_QUEUE.send(
      {
        v: 1,
        type: 'expand',
        workspace_id: dispatch.workspaceId,
        dispatch_id: dispatch.id,
        after: to,
      },
      rate === null ? {} : { delaySeconds: Math.ceil((60 * page.length) / rate) },
    );
  }
  await advanceCursor(env.DB, {
    id: dispatch.id,
    from: m.after,
    to,
    added: page.length,
    done,
    now,
  });
  return 'done';
}

/** How long a page waits for the one before it to commit before it is dead-lettered. */
const MAX_PAGE_WAITS = 30;

/**
 * A page that arrived before the page before it committed its cursor (they are sent in that
 * order, but consumers run concurrently): sent again a little later as a fresh message, so the
 * wait does not use up the queue's retries. A page still waiting after a minute is kept in the
 * dead letters, naming the dispatch.
 */
async function waitForEarlierPage(
  env: DeliveryBindings,
  m: Extract<DeliveryMessage, { type: 'expand' }>,
): Promise<void> {
  const waits = (m.waits ?? 0) + 1;
  if (waits > MAX_PAGE_WAITS) {
    await addDeadLetter(env.DB, {
      id: crypto.randomUUID(),
      workspaceId: m.workspace_id,
      dispatchId: m.dispatch_id,
      channel: 'expand',
      recipient: m,
      reason: 'the previous audience page never committed; the rest of the audience is not sent',
      status: null,
      attempts: waits,
      failedAt: Date.now(),
    });
    log('error', 'audience page abandoned', { dispatch_id: m.dispatch_id, after: m.after });
    return;
  }
  await env.DELIVERY_QUEUE.send({ ...m, waits }, { delaySeconds: 2 });
}

/**
 * The delivery dead-letter queue: messages the consumer failed on through every queue retry are
 * kept in D1 whole, where the dead-letter API shows them.
 */
export async function consumeDeliveryDeadLetters(
  batch: MessageBatch<unknown>,
  env: Pick<DeliveryBindings, 'DB'>,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = DeliveryMessage.safeParse(message.body);
    const body = parsed.success ? parsed.data : null;
    await addDeadLetter(env.DB, {
      id: message.id,
      workspaceId: body?.workspace_id ?? 'unknown',
      dispatchId: body?.dispatch_id ?? 'unknown',
      channel: body?.type === 'deliver' ? body.channel : (body?.type ?? 'unknown'),
      recipient: message.body,
      reason: 'the delivery consumer failed on this message through every queue retry',
      status: null,
      attempts: message.attempts,
      failedAt: Date.now(),
    });
    log('error', 'delivery message dead-lettered', { message_id: message.id });
    message.ack();
  }
}
