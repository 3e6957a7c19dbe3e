import { z } from 'zod';
import { defineRoute } from '../../http/route';
import { log } from '../../lib/log';
import { escapeAttribute } from '../../tracking/html';
import { invalidLinkPage, NO_STORE, page } from '../../tracking/pages';
import { recordTracked } from '../../tracking/record';
import { verifyToken } from '../../tracking/token';
import { applyEmailState, type EmailState } from './list-state';

/**
 * The email list page behind `${set_user_to_unsubscribed_url}` (and `?to=subscribed`,
 * `?to=opted_in` for the subscribe and opt-in links). GET shows a confirmation — link scanners
 * fetch GETs, so a GET changes nothing but counts as a click — and the form's POST applies it.
 * The same URL takes RFC 8058 one-click POSTs (`List-Unsubscribe=One-Click`) from mail clients.
 */

const TAG = 'Tracking';
const PATH = '/t/u/{token}';
/** A one-click POST body is one short form field; anything bigger is not for this page. */
const MAX_BODY = 4_096;

const WORDS: Record<EmailState, { ask: string; button: string; done: string; text: string }> = {
  unsubscribed: {
    ask: 'Unsubscribe from these emails?',
    button: 'Unsubscribe',
    done: 'You are unsubscribed',
    text: 'You will no longer receive these emails.',
  },
  subscribed: {
    ask: 'Subscribe to these emails?',
    button: 'Subscribe',
    done: 'You are subscribed',
    text: 'You will receive these emails again.',
  },
  opted_in: {
    ask: 'Opt in to these emails?',
    button: 'Opt in',
    done: 'You are opted in',
    text: 'Thank you for confirming your subscription.',
  },
};

function stateOf(to: string | undefined): EmailState {
  return to === 'subscribed' || to === 'opted_in' ? to : 'unsubscribed';
}

function retryPage(): Response {
  return page({
    title: 'Please try again',
    text: 'Your choice could not be saved just now. Please try again in a moment.',
    status: 503,
  });
}

export const listPageRoute = defineRoute({
  method: 'get',
  path: PATH,
  tag: TAG,
  summary: 'Email unsubscribe / subscribe page (confirmation)',
  description:
    'Shows a confirmation form; records a `click` on the list link (unique clicks include ' +
    'unsubscribe clicks). `to` = `subscribed` | `opted_in` for the subscribe links.',
  auth: { type: 'none' },
  success: { status: 200, description: 'text/html', schema: z.string() },
  handler: async (c) => {
    const token = c.req.param('token') ?? '';
    const state = stateOf(c.req.query('to'));
    try {
      const tracked = await verifyToken(c.env.DB, token);
      if (!tracked) return invalidLinkPage();
      await recordTracked(c.env, tracked, {
        event: 'click',
        eventId: crypto.randomUUID(),
        at: Date.now(),
        url: c.req.url,
        detail: { list_link: state },
      }).catch((err) => log('warn', 'list link click not recorded', { error: String(err) }));
    } catch (err) {
      log('warn', 'list link not verified', { error: String(err) });
      return invalidLinkPage();
    }
    const words = WORDS[state];
    return page({
      title: words.ask,
      text: 'Confirm below.',
      extra: `<form method="post" action=""><button type="submit">${escapeAttribute(words.button)}</button></form>`,
      status: 200,
    });
  },
});

export const listApplyRoute = defineRoute({
  method: 'post',
  path: PATH,
  tag: TAG,
  summary: 'Apply an email unsubscribe / subscribe (form or RFC 8058 one-click)',
  description:
    'Sets `email_subscribe` on the profile the token names and records `unsubscribe` ' +
    "(or `subscribe`). A body of `List-Unsubscribe=One-Click` is a mail client's one-click " +
    'unsubscribe and answers plain text; the form answers a page.',
  auth: { type: 'none' },
  rawBody: true,
  success: { status: 200, description: 'text/html or text/plain', schema: z.string() },
  handler: async (c) => {
    const token = c.req.param('token') ?? '';
    const buf = await c.req.raw.arrayBuffer().catch(() => new ArrayBuffer(0));
    const body = buf.byteLength > MAX_BODY ? '' : new TextDecoder().decode(buf);
    const oneClick = new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
    const state = oneClick ? 'unsubscribed' : stateOf(c.req.query('to'));
    let tracked: Awaited<ReturnType<typeof verifyToken>>;
    try {
      tracked = await verifyToken(c.env.DB, token);
    } catch {
      tracked = null;
    }
    if (!tracked) return invalidLinkPage();
    try {
      await applyEmailState(c.env, tracked, {
        state,
        eventId: crypto.randomUUID(),
        at: Date.now(),
        detail: { source: oneClick ? 'one_click' : 'link' },
      });
    } catch (err) {
      log('warn', 'email list change not applied', { error: String(err) });
      return retryPage();
    }
    if (oneClick) {
      return new Response('Unsubscribed', {
        status: 200,
        headers: { ...NO_STORE, 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const words = WORDS[state];
    return page({ title: words.done, text: words.text, status: 200 });
  },
});
