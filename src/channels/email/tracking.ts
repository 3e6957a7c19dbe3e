import type { MessageContext } from '../../personalization/scope';
import { clickUrl } from '../../tracking/click';
import {
  appendPixel,
  escapeAttribute,
  escapeHtml,
  rewriteLinks,
  trackableLinks,
} from '../../tracking/html';

/**
 * Where an email's tracking points: the open pixel, the click redirect and the unsubscribe
 * page, all on the Worker's public origin (HERALD_PUBLIC_URL) under `/t/`, each naming the send
 * by its signed tracking token (src/tracking/token.ts).
 */

export const TRACKING_PREFIX = '/t/';

export function pixelUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/t/o/${token}.gif`;
}

export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/t/u/${token}`;
}

/** The Liquid list links and footer for one recipient (`${set_user_to_unsubscribed_url}`…). */
export function emailLinks(input: {
  publicUrl: string;
  token: string;
  workspaceName: string;
}): NonNullable<MessageContext['links']> {
  const unsubscribe = unsubscribeUrl(input.publicUrl, input.token);
  return {
    unsubscribe,
    subscribe: `${unsubscribe}?to=subscribed`,
    opt_in: `${unsubscribe}?to=opted_in`,
    email_footer:
      '<p style="font-size:12px;line-height:18px;color:#6b7280;text-align:center">' +
      `You receive this email from ${escapeHtml(input.workspaceName)}. ` +
      `<a href="${escapeAttribute(unsubscribe)}" style="color:#6b7280">Unsubscribe</a></p>`,
  };
}

/**
 * RFC 2369 and RFC 8058 headers: mail clients show an unsubscribe button and POST
 * `List-Unsubscribe=One-Click` to the URL, which unsubscribes without a page.
 */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * The HTML with http(s) links through the click redirect (each destination signed, so the
 * redirect only goes where the email pointed) and the open pixel last inside `<body>`. Links to
 * Herald's own tracking pages are left as they are: the unsubscribe page counts its own click.
 */
export async function trackHtml(
  db: D1Database,
  input: {
    html: string;
    token: string;
    workspaceId: string;
    publicUrl: string;
    opens: boolean;
    clicks: boolean;
  },
): Promise<string> {
  let html = input.html;
  if (input.clicks) {
    const own = `${input.publicUrl}${TRACKING_PREFIX}`;
    const links = trackableLinks(html, (url) => url.startsWith(own));
    const wrapped = new Map<string, string>();
    for (const url of links) {
      wrapped.set(url, await clickUrl(db, { ...input, url }));
    }
    html = rewriteLinks(html, wrapped);
  }
  if (input.opens) html = appendPixel(html, pixelUrl(input.publicUrl, input.token));
  return html;
}
