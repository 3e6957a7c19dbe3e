import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { workspaceSecrets } from '../db/channels';
import { CHANNELS, type Channel } from '../delivery/channels';

/**
 * Tracking tokens: which user and which message a tracking hit is about (an open pixel, a click
 * redirect, an unsubscribe link, a provider webhook's custom arguments). A token is the message
 * ids in base64url JSON and an HMAC-SHA-256 over them (128 bits) with the workspace's own
 * tracking key, so anyone can carry a token but no one can make one that names another user.
 *
 *   <base64url(JSON payload)>.<base64url(first 16 bytes of HMAC)>
 */

export interface TrackedMessage {
  workspaceId: string;
  profileId: string;
  channel: Channel;
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
}

/** The name of the workspace secret holding the tracking key. */
const KEY_NAME = 'tracking';
const MAC_BYTES = 16;
/** Longer tokens are refused before any work (a URL segment; real ones are ~250 bytes). */
export const MAX_TOKEN_LENGTH = 2_048;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Per isolate: a workspace's key never changes once made. */
const keys = new Map<string, Promise<CryptoKey>>();
/** Workspaces found without a key, until when (epoch ms). */
const noKey = new Map<string, number>();
const NO_KEY_MS = 5_000;

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

async function loadKey(
  db: D1Database,
  workspaceId: string,
  create: boolean,
): Promise<CryptoKey | null> {
  const table = workspaceSecrets;
  const where = and(eq(table.workspaceId, workspaceId), eq(table.name, KEY_NAME));
  let row = await drizzle(db).select().from(table).where(where).get();
  // Verifying never makes a key: a forged token naming any workspace must not write rows.
  if (!row && !create) return null;
  if (!row) {
    const fresh = base64url(crypto.getRandomValues(new Uint8Array(32)));
    // Two isolates may race to make the key: the first insert wins and both read it back.
    await drizzle(db)
      .insert(table)
      .values({ workspaceId, name: KEY_NAME, value: fresh, createdAt: Date.now() })
      .onConflictDoNothing();
    row = await drizzle(db).select().from(table).where(where).get();
    if (!row) throw new Error(`tracking key for workspace ${workspaceId} could not be stored`);
  }
  const raw = fromBase64url(row.value);
  if (!raw) throw new Error(`tracking key for workspace ${workspaceId} is corrupt`);
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function keyFor(
  db: D1Database,
  workspaceId: string,
  create: boolean,
): Promise<CryptoKey | null> {
  const cached = keys.get(workspaceId);
  if (cached) return cached;
  // Tracking routes need no key: a flood of forged tokens naming unknown workspaces costs one D1
  // read per workspace per NO_KEY_MS, not one per hit.
  if (!create && (noKey.get(workspaceId) ?? 0) > Date.now()) return null;
  const key = await loadKey(db, workspaceId, create);
  if (key) {
    keys.set(workspaceId, Promise.resolve(key));
    noKey.delete(workspaceId);
  } else {
    if (noKey.size >= 10_000) noKey.clear();
    noKey.set(workspaceId, Date.now() + NO_KEY_MS);
  }
  return key;
}

async function mac(key: CryptoKey, payload: string): Promise<Uint8Array> {
  const full = await crypto.subtle.sign('HMAC', key, encoder.encode(payload));
  return new Uint8Array(full).slice(0, MAC_BYTES);
}

/** Sign a token for one message to one user. */
export async function signToken(db: D1Database, m: TrackedMessage): Promise<string> {
  const payload = base64url(
    encoder.encode(
      JSON.stringify({
        w: m.workspaceId,
        p: m.profileId,
        ch: m.channel,
        d: m.dispatchId,
        s: m.sendId,
        c: m.campaignId,
        v: m.variantId,
      }),
    ),
  );
  const key = await keyFor(db, m.workspaceId, true);
  if (!key) throw new Error(`no tracking key for workspace ${m.workspaceId}`);
  return `${payload}.${base64url(await mac(key, payload))}`;
}

function stringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

/** The message a token names, or null when it is malformed, unsigned or signed by another key. */
export async function verifyToken(db: D1Database, token: string): Promise<TrackedMessage | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = fromBase64url(token.slice(dot + 1));
  const json = fromBase64url(payload);
  if (!given || given.length !== MAC_BYTES || !json) return null;
  let p: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(decoder.decode(json));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    p = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const { w, p: profileId, ch, d, s, c, v } = p;
  if (typeof w !== 'string' || w === '' || typeof profileId !== 'string' || profileId === '') {
    return null;
  }
  if (typeof ch !== 'string' || !(CHANNELS as readonly string[]).includes(ch)) return null;
  if (typeof d !== 'string' || !stringOrNull(s) || !stringOrNull(c) || !stringOrNull(v)) {
    return null;
  }
  let key: CryptoKey | null;
  try {
    key = await keyFor(db, w, false);
  } catch {
    return null;
  }
  if (!key) return null;
  const expected = await mac(key, payload);
  // Constant-time comparison: a timing difference must not reveal a valid prefix.
  let diff = 0;
  for (let i = 0; i < MAC_BYTES; i++) diff |= (expected[i] ?? 0) ^ (given[i] ?? 0);
  if (diff !== 0) return null;
  return {
    workspaceId: w,
    profileId,
    channel: ch as Channel,
    dispatchId: d,
    sendId: s,
    campaignId: c,
    variantId: v,
  };
}

/**
 * A MAC over `text` with the workspace's tracking key (128 bits, base64url), for a value that
 * travels next to a token and must not be changed (a click's destination). Distinct from token
 * MACs: the input is prefixed with a newline, which no token payload contains.
 */
export async function signText(db: D1Database, workspaceId: string, text: string): Promise<string> {
  const key = await keyFor(db, workspaceId, true);
  if (!key) throw new Error(`no tracking key for workspace ${workspaceId}`);
  return base64url(await mac(key, `\n${text}`));
}

/** Whether `sig` is `signText(workspaceId, text)`; false for any workspace without a key. */
export async function verifyText(
  db: D1Database,
  input: { workspaceId: string; text: string; sig: string },
): Promise<boolean> {
  const given = fromBase64url(input.sig);
  if (!given || given.length !== MAC_BYTES) return false;
  let key: CryptoKey | null;
  try {
    key = await keyFor(db, input.workspaceId, false);
  } catch {
    return false;
  }
  if (!key) return false;
  const expected = await mac(key, `\n${input.text}`);
  let diff = 0;
  for (let i = 0; i < MAC_BYTES; i++) diff |= (expected[i] ?? 0) ^ (given[i] ?? 0);
  return diff === 0;
}
