import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { addressStates } from '../../db/channels';

/**
 * Phone numbers SMS must not be sent to, in `address_states` (channel `sms`):
 * - `invalid_number`: Twilio said the number can never take SMS (contract: "invalid phone
 *   numbers", listed by `/sms/invalid_phone_numbers` and cleared by its `/remove`);
 * - `unsubscribe`: the number texted STOP to the carrier itself (Twilio error 21610), so Twilio
 *   blocks it until it texts START again.
 * Numbers are kept in E.164.
 */

const CHANNEL = 'sms';
export type PhoneBlock = 'invalid_number' | 'unsubscribe';

/** Mark a number; a repeat keeps the first detection time. */
export async function markNumber(
  db: D1Database,
  input: {
    workspaceId: string;
    phone: string;
    kind: PhoneBlock;
    reason: string;
    profileId: string | null;
    at: number;
  },
): Promise<void> {
  await drizzle(db)
    .insert(addressStates)
    .values({
      workspaceId: input.workspaceId,
      channel: CHANNEL,
      address: input.phone,
      kind: input.kind,
      reason: input.reason,
      profileId: input.profileId,
      at: input.at,
    })
    .onConflictDoNothing()
    .run();
}

/** Why a number must not be sent to, or null. */
export async function blockOf(
  db: D1Database,
  workspaceId: string,
  phone: string,
): Promise<PhoneBlock | null> {
  const row = await drizzle(db)
    .select({ kind: addressStates.kind })
    .from(addressStates)
    .where(
      and(
        eq(addressStates.workspaceId, workspaceId),
        eq(addressStates.channel, CHANNEL),
        eq(addressStates.address, phone),
        inArray(addressStates.kind, ['invalid_number', 'unsubscribe']),
      ),
    )
    .get();
  return (row?.kind as PhoneBlock | undefined) ?? null;
}

/** Clear marks of one kind for these numbers. */
export async function clearNumbers(
  db: D1Database,
  input: { workspaceId: string; phones: string[]; kind: PhoneBlock },
): Promise<void> {
  if (input.phones.length === 0) return;
  await drizzle(db)
    .delete(addressStates)
    .where(
      and(
        eq(addressStates.workspaceId, input.workspaceId),
        eq(addressStates.channel, CHANNEL),
        eq(addressStates.kind, input.kind),
        inArray(addressStates.address, input.phones),
      ),
    )
    .run();
}

export interface InvalidNumber {
  phone: string;
  reason: string | null;
  at: number;
}

/** Invalid numbers, newest first: the listed ones, or those detected in `[from, to)`. */
export async function listInvalidNumbers(
  db: D1Database,
  input: {
    workspaceId: string;
    phones: string[] | null;
    from: number;
    to: number;
    reason: string | null;
    limit: number;
    offset: number;
  },
): Promise<InvalidNumber[]> {
  const t = addressStates;
  const where = and(
    eq(t.workspaceId, input.workspaceId),
    eq(t.channel, CHANNEL),
    eq(t.kind, 'invalid_number'),
    input.phones
      ? inArray(t.address, input.phones)
      : and(gte(t.at, input.from), lt(t.at, input.to)),
    input.reason ? eq(t.reason, input.reason) : undefined,
  );
  const rows = await drizzle(db)
    .select({ phone: t.address, reason: t.reason, at: t.at })
    .from(t)
    .where(where)
    .orderBy(desc(t.at), t.address)
    .limit(input.limit)
    .offset(input.offset)
    .all();
  return rows;
}
