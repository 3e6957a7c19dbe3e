import { z } from 'zod';
import { defineRoute } from '../http/route';
import { log } from '../lib/log';
import { verifyClick } from './click';
import { isTrackable, machineOpenReason } from './html';
import { invalidLinkPage, NO_STORE } from './pages';
import { recordTracked } from './record';
import { verifyToken } from './token';

/**
 * The public tracking endpoints a message's recipient reaches (no API key): the open pixel and
 * the click redirect. They always answer what a mail client or a browser expects — a GIF, a
 * redirect, a readable page — whatever happened to the recording.
 */

const TAG = 'Tracking';

/** A transparent 1×1 GIF. */
const GIF = Uint8Array.from(
  atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'),
  (ch) => ch.charCodeAt(0),
);

function gif(): Response {
  return new Response(GIF, {
    status: 200,
    headers: { ...NO_STORE, 'content-type': 'image/gif', 'content-length': String(GIF.length) },
  });
}

/** The user agent as the event keeps it (bounded). */
function userAgent(headers: Headers): string | null {
  const ua = headers.get('user-agent');
  return ua === null ? null : ua.slice(0, 512);
}

export const openPixelRoute = defineRoute({
  method: 'get',
  path: '/t/o/{token}',
  tag: TAG,
  summary: 'Email open pixel (records an open)',
  description:
    'A 1×1 GIF for every request, valid token or not, never cached. A valid token records an ' +
    '`open`; opens that look automated (Apple Mail Privacy Protection, prefetch, scanners) carry ' +
    '`detail.machine_open: true`. The token may end in `.gif`.',
  auth: { type: 'none' },
  success: { status: 200, description: 'image/gif', schema: z.string() },
  handler: async (c) => {
    const token = (c.req.param('token') ?? '').replace(/\.gif$/i, '');
    try {
      const tracked = await verifyToken(c.env.DB, token);
      if (tracked) {
        const reason = machineOpenReason(c.req.raw.headers);
        await recordTracked(c.env, tracked, {
          event: 'open',
          eventId: crypto.randomUUID(),
          at: Date.now(),
          detail: {
            machine_open: reason !== null,
            ...(reason !== null ? { machine_open_reason: reason } : {}),
            user_agent: userAgent(c.req.raw.headers),
          },
        });
      }
    } catch (err) {
      log('warn', 'open not recorded', { error: String(err) });
    }
    return gif();
  },
});

export const clickRedirectRoute = defineRoute({
  method: 'get',
  path: '/t/c/{token}',
  tag: TAG,
  summary: 'Tracked link (records a click, redirects)',
  description:
    '`u` is the destination and `s` its signature, made at send time: a valid pair records a ' +
    '`click` with the URL and answers 302 to it, even when recording fails. Anything else ' +
    'answers a readable page saying the link is not valid, never a redirect.',
  auth: { type: 'none' },
  success: { status: 302, description: 'Redirect to the destination', schema: z.string() },
  handler: async (c) => {
    const token = c.req.param('token') ?? '';
    const url = c.req.query('u') ?? '';
    const sig = c.req.query('s') ?? '';
    let tracked: Awaited<ReturnType<typeof verifyToken>> = null;
    try {
      tracked = await verifyToken(c.env.DB, token);
      if (
        !tracked ||
        !isTrackable(url) ||
        !(await verifyClick(c.env.DB, { workspaceId: tracked.workspaceId, token, url, sig }))
      ) {
        return invalidLinkPage();
      }
    } catch (err) {
      log('warn', 'click link not verified', { error: String(err) });
      return invalidLinkPage();
    }
    try {
      await recordTracked(c.env, tracked, {
        event: 'click',
        eventId: crypto.randomUUID(),
        at: Date.now(),
        url,
        detail: { user_agent: userAgent(c.req.raw.headers) },
      });
    } catch (err) {
      log('warn', 'click not recorded', { error: String(err) });
    }
    return new Response(null, {
      status: 302,
      headers: { ...NO_STORE, location: url, 'referrer-policy': 'no-referrer' },
    });
  },
});
