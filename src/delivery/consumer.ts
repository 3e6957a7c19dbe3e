import type { Identifier } from '../ingestion/types';
import { log } from '../lib/log';
import { profileStub } from '../lib/stubs';
import { renderFields } from '../personalization/render';
import { buildScope } from '../personalization/scope';
import { workspaceSources } from '../personalization/workspace-sources';
import type { ClaimResult, SendOutcome } from '../profiles/sends';
import { pageMatching } from '../segments/query';
import { isMiss, withProfile } from '../users/locate';
import { getWorkspace, type Workspace } from '../workspaces/store';
import { HostBreaker } from './breaker';
import type { WebhookMessage } from './channels';
import { addDeadLetter, advanceCursor, type Dispatch, getDispatch } from './dispatch-store';
import {
  type DeliverMessage,
  DeliveryMessage,
  EXPAND_PAGE,
  MAX_ATTEMPTS,
  type QueuedRecipient,
  RECIPIENTS_PER_MESSAGE,
} from './queue';
import { callWebhook } from './webhook';

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
  /** Seconds before a channel's first retry; each next retry waits three times longer. */
  HERALD_RETRY_BASE_SECONDS?: string;
}

/** Recipients rendered and sent at once within one consumer invocation. */
const CONCURRENCY = 16;

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

function retryBase(env: DeliveryBindings): number {
  const n = Number(env.HERALD_RETRY_BASE_SECONDS ?? '30');
  return Number.isFinite(n) && n >= 0 ? n : 30;
}

/** The ledger key: one send per dispatch, user, variant and channel. */
export function sendKey(input: {
  dispatchId: string;
  profileId: string;
  variantId: string | null;
  channel: string;
}): string {
  return [input.dispatchId, input.profileId, input.variantId ?? '', input.channel].join('\n');
}

interface Tally {
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
        if (parsed.data.type === 'deliver') {
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
          if (outcome === 'wait') message.retry({ delaySeconds: 2 });
          else message.ack();
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
  const tally: Tally = { sent: 0, aborted: 0, failed: 0, retried: 0, skipped: 0 };
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
  const message = m.channel === 'webhook' ? dispatch.messages.webhook : undefined;
  if (!message) {
    log('error', 'dispatch has no message for this channel', {
      dispatch_id: m.dispatch_id,
      channel: m.channel,
    });
    return tally;
  }
  const ctx: SendContext = { env, dispatch, workspace, message, attempt: m.attempt, tally };
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
  if (again.length > 0) {
    await env.DELIVERY_QUEUE.send({ ...m, recipients: again }, { delaySeconds: 5 });
    tally.retried += again.length;
  }
  return tally;
}

interface SendContext {
  env: DeliveryBindings;
  dispatch: Dispatch;
  workspace: Workspace;
  message: WebhookMessage;
  attempt: number;
  tally: Tally;
}

async function deliverOne(ctx: SendContext, r: QueuedRecipient): Promise<void> {
  const { env, dispatch, message } = ctx;
  const now = Date.now();
  const variantId = message.message_variation_id ?? null;
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
        key: sendKey({ dispatchId: dispatch.id, profileId: id, variantId, channel: 'webhook' }),
        dispatchId: dispatch.id,
        sendId: dispatch.sendId,
        campaignId: dispatch.campaignId,
        variantId,
        channel: 'webhook',
        attempt: ctx.attempt,
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
    } else {
      ctx.tally.skipped++;
    }
    return;
  }
  const claimed = answer as Extract<ClaimResult, { status: 'claimed' }>;
  const outcome = await sendWebhook(ctx, r, claimed.recipient, now);
  const result: SendOutcome = {
    key: sendKey({ dispatchId: dispatch.id, profileId, variantId, channel: 'webhook' }),
    attempt: ctx.attempt,
    ...outcome,
  };
  if (outcome.result === 'retry') {
    if (ctx.attempt >= MAX_ATTEMPTS) {
      result.result = 'failed';
      result.reason = `gave up after ${MAX_ATTEMPTS} attempts: ${outcome.reason ?? ''}`;
      await addDeadLetter(env.DB, {
        id: crypto.randomUUID(),
        workspaceId: dispatch.workspaceId,
        dispatchId: dispatch.id,
        channel: 'webhook',
        recipient: { profile_id: profileId, trigger_properties: r.trigger_properties ?? null },
        reason: outcome.reason ?? 'retries exhausted',
        status: outcome.status ?? null,
        attempts: ctx.attempt,
        failedAt: Date.now(),
      });
    } else {
      const delay = retryDelaySeconds(retryBase(env), ctx.attempt, outcome.retryAfterMs ?? null);
      await env.DELIVERY_QUEUE.send(
        {
          ...deliverMessageFor(ctx, {
            profile_id: profileId,
            trigger_properties: r.trigger_properties,
          }),
          attempt: ctx.attempt + 1,
        },
        { delaySeconds: delay },
      );
    }
  }
  delete (result as { retryAfterMs?: unknown }).retryAfterMs;
  await completeWithRetry(env, dispatch.workspaceId, profileId, result);
  const field = result.result === 'retry' ? 'retried' : result.result;
  ctx.tally[field]++;
}

function deliverMessageFor(ctx: SendContext, r: QueuedRecipient): DeliverMessage {
  return {
    v: 1,
    type: 'deliver',
    workspace_id: ctx.dispatch.workspaceId,
    dispatch_id: ctx.dispatch.id,
    channel: 'webhook',
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

type WebhookOutcome = Omit<SendOutcome, 'key' | 'attempt'> & { retryAfterMs?: number | null };

async function sendWebhook(
  ctx: SendContext,
  r: QueuedRecipient,
  recipient: Extract<ClaimResult, { status: 'claimed' }>['recipient'],
  now: number,
): Promise<WebhookOutcome> {
  const { dispatch, message, workspace } = ctx;
  const fields: Record<string, string> = { url: message.url };
  if (message.body !== undefined) fields.body = message.body;
  const headerNames = Object.keys(message.request_headers ?? {});
  headerNames.forEach((name, i) => {
    fields[`header.${i}`] = message.request_headers?.[name] ?? '';
  });
  const scope = buildScope(recipient, {
    ...dispatch.context,
    campaign: { ...dispatch.context.campaign, dispatch_id: dispatch.id },
    api_trigger_properties: r.trigger_properties,
  });
  const rendered = await renderFields({
    fields,
    scope,
    now,
    sources: workspaceSources(ctx.env.DB, workspace),
  });
  const extras = rendered.extras;
  if (rendered.aborted) {
    return { result: 'aborted', reason: rendered.aborted.reason, messageExtras: extras };
  }
  const out: Record<string, string> = {};
  for (const [name, f] of Object.entries(rendered.fields)) {
    if (!f.ok) {
      const label = name.startsWith('header.')
        ? `header ${headerNames[Number(name.slice(7))]}`
        : name;
      return { result: 'aborted', reason: `${label}: ${f.error}`, messageExtras: extras };
    }
    out[name] = f.output;
  }
  const headers: Record<string, string> = {};
  headerNames.forEach((name, i) => {
    headers[name] = out[`header.${i}`] ?? '';
  });
  const call = await callWebhook(
    {
      url: (out.url ?? '').trim(),
      method: message.request_method,
      headers,
      body: out.body ?? null,
    },
    {
      workspaceId: dispatch.workspaceId,
      allowlist: workspace.settings.connected_content_allowlist,
      breaker,
      fetch: (request) => fetch(request),
      now: Date.now,
    },
  );
  if (call.outcome === 'delivered') {
    return { result: 'sent', status: call.status, messageExtras: extras };
  }
  if (call.outcome === 'retry') {
    return {
      result: 'retry',
      status: call.status,
      reason: call.reason,
      retryAfterMs: call.retryAfterMs,
      messageExtras: extras,
    };
  }
  return { result: 'failed', status: call.status, reason: call.reason, messageExtras: extras };
}

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
  if (!dispatch || dispatch.status !== 'expanding' || dispatch.audience === null) return 'stale';
  if (dispatch.cursor !== m.after) {
    const behind = dispatch.cursor === null || (m.after !== null && dispatch.cursor < m.after);
    return behind ? 'wait' : 'stale';
  }
  const now = Date.now();
  const page = await pageMatching(env.DB, {
    workspaceId: dispatch.workspaceId,
    filter: dispatch.audience,
    now,
    after: m.after,
    limit: EXPAND_PAGE,
  });
  const bodies: DeliverMessage[] = [];
  for (let i = 0; i < page.length; i += RECIPIENTS_PER_MESSAGE) {
    for (const channel of channelsOf(dispatch)) {
      bodies.push({
        v: 1,
        type: 'deliver',
        workspace_id: dispatch.workspaceId,
        dispatch_id: dispatch.id,
        channel,
        attempt: 1,
        recipients: page
          .slice(i, i + RECIPIENTS_PER_MESSAGE)
          .map((p) => ({ profile_id: p.profileId })),
      });
    }
  }
  for (let i = 0; i < bodies.length; i += 100) {
    await env.DELIVERY_QUEUE.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body })));
  }
  const done = page.length < EXPAND_PAGE;
  const to = page.length > 0 ? page[page.length - 1]!.profileId : m.after;
  if (!done) {
    await env.DELIVERY_QUEUE.send({
      v: 1,
      type: 'expand',
      workspace_id: dispatch.workspaceId,
      dispatch_id: dispatch.id,
      after: to,
    });
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

/** The channels a dispatch sends on. */
export function channelsOf(dispatch: Pick<Dispatch, 'messages'>): 'webhook'[] {
  return dispatch.messages.webhook ? ['webhook'] : [];
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
