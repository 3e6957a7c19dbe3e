import { and, asc, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { addressStates } from '../../db/channels';

/**
 * Email addresses' states (D1 `address_states`, channel `email`): hard bounces (no further sends
 * to the address), spam reports and unsubscribes, with when and why. Written by the provider
 * webhooks, the unsubscribe links and the `/email/*` endpoints; read by the email sender and the
 * list endpoints.
 */

export type AddressKind = 'hard_bounce' | 'spam' | 'unsubscribe';
const CHANNEL = 'email';

/** Addresses compare case-insensitively (the stored form). */
export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Record an address's state (a later report replaces the earlier one's time and reason). */
export async function putAddressState(
  db: D1Database,
  input: {
    workspaceId: string;
    address: string;
    kind: AddressKind;
    reason: string | null;
    profileId: string | null;
    at: number;
  },
): Promise<void> {
  const row = {
    workspaceId: input.workspaceId,
    channel: CHANNEL,
    address: normalizeEmail(input.address),
    kind: input.kind,
    reason: input.reason,
    profileId: input.profileId,
    at: input.at,
  };
  await drizzle(db)
    .insert(addressStates)
    .values(row)
    .onConflictDoUpdate({
      target: [
        addressStates.workspaceId,
        addressStates.channel,
        addressStates.kind,
        addressStates.address,
      ],
      set: { reason: row.reason, profileId: row.profileId, at: row.at },
    })
    .run();
}

/** Remove addresses from one list; answers how many rows went. */
export async function removeAddressStates(
  db: D1Database,
  input: { workspaceId: string; kind: AddressKind; addresses: string[] },
): Promise<number> {
  if (input.addresses.length === 0) return 0;
  const res = await drizzle(db)
    .delete(addressStates)
    .where(
      and(
        eq(addressStates.workspaceId, input.workspaceId),
        eq(addressStates.channel, CHANNEL),
        eq(addressStates.kind, input.kind),
        inArray(addressStates.address, input.addresses.map(normalizeEmail)),
      ),
    )
    .run();
  return res.meta.changes;
}

/** The hard bounce recorded for an address, or null: the sender sends nothing to it. */
export async function hardBounceOf(
  db: D1Database,
  workspaceId: string,
  address: string,
): Promise<{ reason: string | null; at: number } | null> {
  const row = await drizzle(db)
    .select({ reason: addressStates.reason, at: addressStates.at })
    .from(addressStates)
    .where(
      and(
        eq(addressStates.workspaceId, workspaceId),
        eq(addressStates.channel, CHANNEL),
        eq(addressStates.kind, 'hard_bounce'),
        eq(addressStates.address, normalizeEmail(address)),
      ),
    )
    .get();
  return row ?? null;
}

export interface AddressStateRow {
  address: string;
  reason: string | null;
  profileId: string | null;
  at: number;
}

/**
 * One list's addresses, either those given (`addresses`) or those recorded in `[from, to)`,
 * ordered by time (`direction`), paged by `limit`/`offset`.
 */
export async function listAddressStates(
  db: D1Database,
  input: {
    workspaceId: string;
    kind: AddressKind;
    addresses?: string[];
    from?: number;
    to?: number;
    direction: 'asc' | 'desc';
    limit: number;
    offset: number;
  },
): Promise<AddressStateRow[]> {
  const t = addressStates;
  const where = [
    eq(t.workspaceId, input.workspaceId),
    eq(t.channel, CHANNEL),
    eq(t.kind, input.kind),
  ];
  if (input.addresses) where.push(inArray(t.address, input.addresses.map(normalizeEmail)));
  else {
    if (input.from !== undefined) where.push(gte(t.at, input.from));
    if (input.to !== undefined) where.push(lt(t.at, input.to));
  }
  return drizzle(db)
    .select({ address: t.address, reason: t.reason, profileId: t.profileId, at: t.at })
    .from(t)
    .where(and(...where))
    .orderBy(input.direction === 'asc' ? asc(t.at) : desc(t.at), asc(t.address))
    .limit(input.limit)
    .offset(input.offset)
    .all();
}
