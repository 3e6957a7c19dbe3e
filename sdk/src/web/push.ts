/**
 * Web Push: `requestPushPermission` asks the user, registers the site's copy of herald-sw.js
 * (built into admin/js/herald-sw.js) and sends the browser's PushSubscription to Herald as a
 * `push_token` batch item, where the web_push channel finds it. See docs/web-sdk.md for what a
 * site must serve.
 */

import { enqueue, flush, hooks, must, read, type State, uuid, write } from '../core';

const nav = globalThis.navigator as Navigator | undefined;

/** Whether this browser can receive Web Push at all. */
export function isPushSupported(): boolean {
  return !!nav?.serviceWorker && typeof PushManager === 'function' && 'Notification' in globalThis;
}

export function isPushPermissionGranted(): boolean {
  return isPushSupported() && Notification.permission === 'granted';
}

export function isPushBlocked(): boolean {
  return isPushSupported() && Notification.permission === 'denied';
}

function deviceId(s: State): string {
  let id = read<string | null>(s, 'device_id', null);
  if (!id) {
    id = uuid();
    write(s, 'device_id', id);
  }
  return id;
}

function base64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function registration(s: State): Promise<ServiceWorkerRegistration> {
  const reg = await nav!.serviceWorker.register(s.raw.serviceWorkerLocation ?? '/herald-sw.js');
  // The worker's scope need not cover the page (push events reach it anyway), so wait for
  // this registration to activate rather than for `serviceWorker.ready`.
  const worker = reg.installing ?? reg.waiting;
  if (worker && !reg.active) {
    await new Promise<void>((resolve) => {
      worker.addEventListener('statechange', () => worker.state === 'activated' && resolve());
    });
  }
  return reg;
}

/** Send the subscription for the current user (again after changeUser: tokens follow users). */
function register(s: State, subscription: PushSubscription): void {
  const token = JSON.stringify(subscription.toJSON());
  write(s, 'push_token', token);
  enqueue(s, 'push_token', { token, device_id: deviceId(s) });
  void flush(s);
}

hooks.user.push((s) => {
  const token = read<string | null>(s, 'push_token', null);
  if (token && isPushPermissionGranted()) {
    enqueue(s, 'push_token', { token, device_id: deviceId(s) });
  }
});

/**
 * Ask for permission to show notifications and subscribe this browser to Web Push with the
 * workspace's VAPID key (`initialize(…, { vapidPublicKey })`). `onGranted` / `onDenied` as in
 * Braze's Web SDK; resolves to whether a subscription was sent.
 */
export async function requestPushPermission(
  onGranted?: (endpoint: string) => void,
  onDenied?: (temporary: boolean) => void,
): Promise<boolean> {
  const s = must();
  if (!isPushSupported() || !s.raw.vapidPublicKey) {
    onDenied?.(false);
    return false;
  }
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    onDenied?.(permission === 'default');
    return false;
  }
  try {
    const reg = await registration(s);
    const subscription =
      (await reg.pushManager.getSubscription()) ??
      (await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64url(s.raw.vapidPublicKey) as BufferSource,
      }));
    register(s, subscription);
    onGranted?.(subscription.endpoint);
    return true;
  } catch {
    // No push service reachable, or the key is wrong: nothing to register.
    onDenied?.(true);
    return false;
  }
}

/** Drop this browser's subscription; Herald prunes the token at its next send. */
export async function unregisterPush(): Promise<void> {
  const s = must();
  const reg = await nav?.serviceWorker?.getRegistration(s.raw.serviceWorkerLocation);
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
  s.storage.removeItem(`herald:${s.appKey}:push_token`);
}
