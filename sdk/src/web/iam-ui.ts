/**
 * The default in-app message display: modal, slideup, full screen and HTML (in a sandboxed
 * iframe), one at a time, with impressions and clicks logged.
 */

import { flush, hooks, must } from '../core';
import {
  type Click,
  type InAppMessage,
  logInAppMessageClick,
  logInAppMessageImpression,
  subscribeToInAppMessage,
} from '../iam';
import { el, injectStyle, safeUrl } from './dom';

/** Closes the message on screen, if any. */
let open: (() => void) | null = null;
hooks.reset.push(() => open?.());

/** Show every triggered message with the default display. */
export function automaticallyShowInAppMessages(): void {
  subscribeToInAppMessage((m) => void showInAppMessage(m));
}

const CSS =
  '.hd-iam{position:fixed;z-index:2147483000;font:16px/1.4 system-ui,sans-serif;color:#111}' +
  '.hd-back{inset:0;background:#0008;display:grid;place-items:center}' +
  '.hd-box{position:relative;background:#fff;border-radius:10px;padding:1.25rem 1.25rem 1rem;max-width:min(28rem,92vw);box-shadow:0 8px 30px #0005;text-align:center}' +
  '.hd-full .hd-box{width:100vw;height:100vh;max-width:none;border-radius:0;display:flex;flex-direction:column;justify-content:center}' +
  '.hd-slideup{left:50%;transform:translateX(-50%);width:min(32rem,94vw)}.hd-top{top:1rem}.hd-bottom{bottom:1rem}' +
  '.hd-slideup .hd-box{max-width:none;text-align:left;cursor:pointer}' +
  '.hd-html{inset:0}.hd-html iframe{border:0;width:100%;height:100%;background:#fff}' +
  '.hd-box img{max-width:100%;max-height:40vh;border-radius:6px}.hd-box h2{margin:.25rem 0;padding:0;border:0;font-size:1.25rem}.hd-box p{margin:.25rem 0 .75rem}' +
  '.hd-btns{display:flex;gap:.5rem;justify-content:center}.hd-btns button{flex:1;font:inherit;font-weight:600;border:0;border-radius:6px;padding:.55rem 1rem;background:#1d4ed8;color:#fff;cursor:pointer}' +
  '.hd-close{position:absolute;top:.25rem;right:.25rem;border:0;background:none;font-size:1.5rem;line-height:1;padding:.25rem .6rem;cursor:pointer;color:inherit}' +
  '.hd-html .hd-close{background:#fffc;border-radius:50%;top:.5rem;right:.5rem}' +
  '.hd-iam button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}';

/** The part of an HTML message's page that lets it close itself and log clicks. */
const BRIDGE =
  '<script>(function(){function p(m){m.herald=1;parent.postMessage(m,"*")}' +
  'window.brazeBridge=window.appboyBridge={closeMessage:function(){p({a:"close"})},logClick:function(b){p({a:"click",b:b})}};' +
  'document.addEventListener("click",function(e){var a=e.target.closest&&e.target.closest("a");if(!a)return;var h=a.getAttribute("href")||"";' +
  'if(/^(appboy|braze|herald):\\/\\/close/i.test(h)){e.preventDefault();p({a:"close"})}else if(/^https?:/i.test(h)){e.preventDefault();' +
  'p({a:"click",b:new URL(h).searchParams.get("abButtonId"),u:h})}},true)})()</script>';

/** The page with the bridge first in its head (before the doctype would force quirks mode). */
function withBridge(html: string): string {
  const head = /<head[^>]*>/i.exec(html);
  if (head)
    return (
      html.slice(0, head.index + head[0].length) + BRIDGE + html.slice(head.index + head[0].length)
    );
  return /^\s*<!doctype/i.test(html) ? html.replace(/>/, `>${BRIDGE}`) : BRIDGE + html;
}

function follow(uri: string | null): void {
  const href = uri && safeUrl(uri);
  if (href) location.assign(href);
}

/**
 * Show a message (one at a time: answers false while another is open). Logs its impression,
 * its clicks (with the button index), and closes on its close button, Escape, a CLOSE action
 * or, for HTML, `appboy://close` / `brazeBridge.closeMessage()`.
 */
export function showInAppMessage(
  m: InAppMessage,
  parent: Element = document.body,
  onDisplay?: () => void,
): boolean {
  if (open) return false;
  injectStyle('hd-iam', CSS);
  const previous = document.activeElement as HTMLElement | null;
  const root = el('div', { class: `hd-iam hd-${m.type}` });
  root.dataset.message = m.id;
  const label = m.header || m.message || 'Message';
  const box = el('div', {
    class: 'hd-box',
    role: 'dialog',
    'aria-modal': String(m.type !== 'slideup'),
    'aria-label': label,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
  const onMessage = (e: MessageEvent) => {
    const frame = root.querySelector('iframe');
    const data = e.data as { herald?: number; a?: string; b?: string | null; u?: string };
    if (!frame || e.source !== frame.contentWindow || data?.herald !== 1) return;
    if (data.a === 'close') close();
    if (data.a === 'click') {
      const index = data.b == null ? Number.NaN : Number(data.b);
      logInAppMessageClick(m, Number.isInteger(index) ? index : undefined);
      if (data.u) {
        close();
        follow(data.u);
      }
    }
  };
  const close = () => {
    clearTimeout(timer);
    document.removeEventListener('keydown', onKey);
    removeEventListener('message', onMessage);
    root.remove();
    open = null;
    previous?.focus?.();
    void flush(must());
  };
  const act = (action: Click, uri: string | null) => {
    close();
    if (action === 'URI') follow(uri);
  };
  const closer = el('button', { type: 'button', class: 'hd-close', 'aria-label': 'Close' }, '×');
  closer.addEventListener('click', (e) => {
    e.stopPropagation();
    close();
  });

  if (m.type === 'html') {
    const frame = el('iframe', {
      sandbox: 'allow-scripts',
      title: label,
      srcdoc: withBridge(m.html ?? ''),
    });
    root.setAttribute('role', 'dialog');
    root.setAttribute('aria-modal', 'true');
    root.setAttribute('aria-label', label);
    root.append(frame, closer);
    addEventListener('message', onMessage);
  } else {
    if (m.imageUrl && safeUrl(m.imageUrl)) box.append(el('img', { src: m.imageUrl, alt: '' }));
    if (m.header) box.append(el('h2', {}, m.header));
    if (m.message) box.append(el('p', {}, m.message));
    if (m.buttons.length > 0) {
      const row = el('div', { class: 'hd-btns' });
      m.buttons.forEach((b, i) => {
        const button = el('button', { type: 'button' }, b.text);
        button.addEventListener('click', (e) => {
          e.stopPropagation();
          logInAppMessageClick(m, i);
          act(b.clickAction, b.uri);
        });
        row.append(button);
      });
      box.append(row);
    } else if (m.clickAction !== 'NONE') {
      box.addEventListener('click', () => {
        logInAppMessageClick(m);
        act(m.clickAction, m.uri);
      });
    }
    box.append(closer);
    if (m.type === 'slideup') {
      root.classList.add(`hd-${m.slideFrom}`);
      root.append(box);
    } else {
      root.classList.add('hd-back');
      root.append(box);
    }
  }
  document.addEventListener('keydown', onKey);
  parent.append(root);
  open = close;
  (root.querySelector<HTMLElement>('.hd-btns button') ?? closer).focus();
  if (m.duration > 0) timer = setTimeout(close, m.duration);
  logInAppMessageImpression(m);
  void flush(must());
  onDisplay?.();
  return true;
}
