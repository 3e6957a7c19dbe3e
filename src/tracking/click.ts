import { signText, verifyText } from './token';

/**
 * Click redirects: `/t/c/{token}?u=<destination>&s=<signature>`. The signature is a MAC over the
 * token and the destination with the workspace's tracking key, so the redirect goes only where
 * the message pointed: it cannot be turned into an open redirect.
 */

function signed(token: string, url: string): string {
  return `${token}\n${url}`;
}

/** The tracked URL for one destination in one message. */
export async function clickUrl(
  db: D1Database,
  input: { publicUrl: string; token: string; workspaceId: string; url: string },
): Promise<string> {
  const sig = await signText(db, input.workspaceId, signed(input.token, input.url));
  return `${input.publicUrl}/t/c/${input.token}?u=${encodeURIComponent(input.url)}&s=${sig}`;
}

/** Whether a click's destination carries the signature its message gave it. */
export function verifyClick(
  db: D1Database,
  input: { workspaceId: string; token: string; url: string; sig: string },
): Promise<boolean> {
  return verifyText(db, {
    workspaceId: input.workspaceId,
    text: signed(input.token, input.url),
    sig: input.sig,
  });
}
