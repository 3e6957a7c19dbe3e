/**
 * In-app messages (contract §5.5): the user's eligible messages from `GET
 * /sdk/v1/in_app_messages`, fetched when a session opens and on `changeUser`, shown when their
 * trigger fires — highest priority first, each once, at most one per 30 s (Braze's default
 * minimum interval). Templated messages are rendered by `POST /sdk/v1/in_app_messages/render`
 * when they are shown. The default display is in web/iam-ui.ts.
 */

import {
  authHeaders,
  currentUser,
  enqueue,
  flush,
  hooks,
  type Json,
  must,
  read,
  type State,
  sync,
  type TriggerEvent,
  write,
} from './core';
import { matchesTrigger, type Trigger } from './triggers';

export type Click = 'NONE' | 'URI' | 'CLOSE';

/** A message body as Herald stores it (src/campaigns/messages.ts InAppMessage). */
interface WireBody {
  type: 'slideup' | 'modal' | 'full' | 'html';
  message?: string;
  header?: string;
  html?: string;
  image_url?: string;
  slide_from?: 'top' | 'bottom';
  click_action?: Click;
  uri?: string;
  dismiss_type?: 'auto_dismiss' | 'swipe';
  duration?: number;
  buttons?: { text: string; click_action?: Click; uri?: string }[];
  extras?: Record<string, string>;
}

interface WireMessage {
  id: string;
  trigger: Trigger;
  priority: number;
  templated: boolean;
  created_at?: number;
  expires_at?: number | null;
  message: WireBody | null;
}

/** An in-app message ready to show, with the names Braze's Web SDK uses. */
export interface InAppMessage {
  id: string;
  type: WireBody['type'];
  header: string | null;
  message: string | null;
  html: string | null;
  imageUrl: string | null;
  slideFrom: 'top' | 'bottom';
  clickAction: Click;
  uri: string | null;
  /** Milliseconds before an auto-dismissed message closes; 0 when the user closes it. */
  duration: number;
  buttons: { text: string; clickAction: Click; uri: string | null }[];
  extras: Record<string, string>;
}

const iam = {
  etag: null as string | null,
  list: null as WireMessage[] | null,
  listeners: new Set<(m: InAppMessage) => void>(),
  refreshing: null as Promise<void> | null,
  generation: 0,
};

hooks.session.push((s, fresh) => {
  const fetched = refreshMessages(s);
  if (fresh) void fetched.then(() => fire(s, { type: 'session_start' }));
});
hooks.user.push((s) => {
  iam.generation++;
  iam.refreshing = null;
  iam.etag = null;
  write(s, 'iam', []);
  void refreshMessages(s);
});
hooks.trigger.push((s, e) => void fire(s, e));
hooks.reset.push(() => {
  iam.etag = null;
  iam.list = null;
  iam.listeners.clear();
  iam.refreshing = null;
});

function refreshMessages(s: State): Promise<void> {
  if (iam.refreshing) return iam.refreshing;
  const generation = iam.generation;
  const run: Promise<void> = (async () => {
    await flush(s);
    const answer = await sync<{ in_app_messages: WireMessage[] }>(s, 'in_app_messages', iam.etag);
    if (!Array.isArray(answer?.body.in_app_messages) || generation !== iam.generation) return;
    iam.etag = answer.etag;
    write(s, 'iam', answer.body.in_app_messages);
  })().finally(() => {
    if (iam.refreshing === run) iam.refreshing = null;
  });
  iam.refreshing = run;
  return run;
}

/** Fetch the user's eligible in-app messages now (sessions and changeUser do it on their own). */
export function requestInAppMessagesRefresh(): Promise<void> {
  return refreshMessages(must());
}

/**
 * The message a trigger event shows, if any: eligible (not shown, not expired), its trigger
 * matches, highest priority then newest. Exported for tests.
 */
export function pick(
  list: WireMessage[],
  e: TriggerEvent,
  shown: string[],
  now: number,
): WireMessage | null {
  const candidates = list
    .filter(
      (m) =>
        !shown.includes(m.id) &&
        !(m.expires_at && m.expires_at <= now) &&
        matchesTrigger(m.trigger, e),
    )
    .sort((a, b) => b.priority - a.priority || (b.created_at ?? 0) - (a.created_at ?? 0));
  return candidates[0] ?? null;
}

async function fire(s: State, e: TriggerEvent): Promise<void> {
  // A trigger logged while the list is on its way waits for it.
  if (iam.refreshing) await iam.refreshing;
  if (iam.listeners.size === 0) return;
  const now = Date.now();
  const shown = read<string[]>(s, 'iam_shown', []);
  const m = pick(read<WireMessage[]>(s, 'iam', []), e, shown, now);
  if (!m) return;
  const interval = (s.raw.minimumIntervalBetweenTriggerActionsInSeconds ?? 30) * 1000;
  if (now - read<number>(s, 'iam_last', 0) < interval) return;
  write(s, 'iam_shown', [...shown, m.id].slice(-500));
  write(s, 'iam_last', now);
  const body =
    m.templated || !m.message
      ? await render(s, m.id, e.type === 'session_start' ? undefined : e.properties)
      : m.message;
  if (!body) return;
  const message = toMessage(m.id, body);
  for (const listener of iam.listeners) listener(message);
}

async function render(
  s: State,
  id: string,
  properties?: Record<string, Json>,
): Promise<WireBody | null> {
  try {
    const res = await s.fetch(`${s.options.baseUrl}/sdk/v1/in_app_messages/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(s) },
      body: JSON.stringify({
        app_key: s.appKey,
        user: currentUser(s),
        message_id: id,
        ...(properties ? { event_properties: properties } : {}),
      }),
    });
    if (!res.ok) return null;
    const got = ((await res.json()) as { in_app_message?: WireMessage | WireBody }).in_app_message;
    if (!got) return null;
    return 'type' in got ? got : got.message;
  } catch {
    return null;
  }
}

function toMessage(id: string, b: WireBody): InAppMessage {
  const auto = b.dismiss_type === 'auto_dismiss' || (b.type === 'slideup' && !b.dismiss_type);
  return {
    id,
    type: b.type,
    header: b.header ?? null,
    message: b.message ?? null,
    html: b.html ?? null,
    imageUrl: b.image_url ?? null,
    slideFrom: b.slide_from ?? 'bottom',
    clickAction: b.click_action ?? 'NONE',
    uri: b.uri ?? null,
    duration: auto ? (b.duration ?? 5000) : 0,
    buttons: (b.buttons ?? []).map((x) => ({
      text: x.text,
      clickAction: x.click_action ?? 'NONE',
      uri: x.uri ?? null,
    })),
    extras: b.extras ?? {},
  };
}

/** Called with each message a trigger shows; returns an unsubscribe. */
export function subscribeToInAppMessage(listener: (m: InAppMessage) => void): () => void {
  iam.listeners.add(listener);
  return () => iam.listeners.delete(listener);
}

export function logInAppMessageImpression(m: InAppMessage): boolean {
  enqueue(must(), 'iam_impression', { message_id: m.id });
  return true;
}

/** A click on the message (no index) or on one of its buttons. */
export function logInAppMessageClick(m: InAppMessage, buttonIndex?: number): boolean {
  enqueue(must(), 'iam_click', {
    message_id: m.id,
    ...(buttonIndex === undefined ? {} : { button_index: buttonIndex }),
  });
  return true;
}
