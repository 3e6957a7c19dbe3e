/**
 * herald-sw.js, the service worker a site serves for Web Push (docs/web-sdk.md): shows the
 * notification Herald's web_push channel sends (docs/channels.md) and, when it is clicked,
 * reports the open to Herald (`POST herald.open_url`) and opens the message's URL.
 */

import { clickTarget, notificationOf, type Payload } from './notification';

interface PushEventLike extends Event {
  data: { json(): unknown } | null;
  waitUntil(p: Promise<unknown>): void;
}
interface ClickEventLike extends Event {
  action: string;
  notification: { data: Payload; close(): void };
  waitUntil(p: Promise<unknown>): void;
}
interface WorkerScope {
  registration: { showNotification(title: string, options: object): Promise<void> };
  clients: { openWindow(url: string): Promise<unknown> };
  addEventListener(type: string, listener: (e: Event) => void): void;
  skipWaiting(): Promise<void>;
}

const sw = globalThis as unknown as WorkerScope;

sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('push', (event) => {
  const e = event as PushEventLike;
  let payload: Payload = {};
  try {
    payload = (e.data?.json() ?? {}) as Payload;
  } catch {
    // Not Herald's JSON: show nothing rather than a broken notification.
    return;
  }
  e.waitUntil(sw.registration.showNotification(...notificationOf(payload)));
});
sw.addEventListener('notificationclick', (event) => {
  const e = event as ClickEventLike;
  const p = e.notification.data ?? {};
  e.notification.close();
  const target = clickTarget(p, e.action);
  e.waitUntil(
    Promise.all([
      p.herald ? fetch(p.herald.open_url, { method: 'POST' }).catch(() => undefined) : null,
      target ? sw.clients.openWindow(target) : null,
    ]),
  );
});
