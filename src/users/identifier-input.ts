import { z } from 'zod';
import { PrioritizationList, UserAlias } from '../http/schemas';
import type { Identifier } from '../ingestion/types';
import {
  findCandidates,
  locate,
  type Prioritization,
  type ProfileBindings,
  pickByPrioritization,
} from './locate';

/** An identifier object as delete/merge take it: one of the four, email/phone prioritised. */
export const IdentifierObject = z.union([
  z.object({ external_id: z.string().min(1) }).strict(),
  z.object({ user_alias: UserAlias }).strict(),
  z.object({ email: z.string().min(1), prioritization: PrioritizationList }).strict(),
  z.object({ phone: z.string().min(1), prioritization: PrioritizationList }).strict(),
]);
export type IdentifierObject = z.infer<typeof IdentifierObject>;

/** The Identifier and prioritization an identifier object names. */
export function toIdentifier(o: IdentifierObject): {
  id: Identifier;
  prioritization: Prioritization[] | null;
} {
  if ('external_id' in o)
    return { id: { kind: 'external_id', value: o.external_id }, prioritization: null };
  if ('user_alias' in o) {
    return {
      id: { kind: 'user_alias', label: o.user_alias.alias_label, name: o.user_alias.alias_name },
      prioritization: null,
    };
  }
  if ('email' in o)
    return { id: { kind: 'email', value: o.email }, prioritization: o.prioritization };
  return { id: { kind: 'phone', value: o.phone }, prioritization: o.prioritization };
}

/** The single profile an identifier selects; email/phone go through prioritization. */
export async function selectProfile(
  b: ProfileBindings,
  input: {
    workspaceId: string;
    id: Identifier;
    prioritization: Prioritization[] | null;
    now: number;
  },
): Promise<{ profileId: string } | { error: string }> {
  if (input.prioritization) {
    const candidates = await findCandidates(b, input.workspaceId, input.id, input.now);
    const pick = pickByPrioritization(candidates, input.prioritization);
    if (pick === 'none') return { error: `no user found with that ${input.id.kind}` };
    if (pick === 'ambiguous') return { error: `more than one user matches that ${input.id.kind}` };
    return { profileId: pick.profileId };
  }
  const profileId = await locate(b, input.workspaceId, input.id, input.now);
  return profileId ? { profileId } : { error: `no user found with that ${input.id.kind}` };
}
