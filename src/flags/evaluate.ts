import { fnv1a32 } from '../lib/hash';
import type { FlagDefinition, FlagProperty } from './model';

/**
 * Feature flag evaluation for one user (messaging spec §7.1): Global Control Group users never
 * get a flag; otherwise the first rule whose segment the user is in decides, and "Everyone Else"
 * decides when none matches. Within the deciding rule the user is on when their bucket for this
 * flag is below its percentage. The bucket is a stable hash of (flag id, user), so rollouts are
 * sticky: raising 10 % to 20 % keeps the first 10 % and adds 10 %; lowering back keeps the
 * original 10 %.
 */

/** The user's rollout bucket (0–99) for a flag. */
export function rolloutBucket(flagId: string, profileId: string): number {
  return fnv1a32(`flag:${flagId}:${profileId}`) % 100;
}

export type FlagDecision =
  | { rule: number; enabled: boolean }
  | { rule: 'everyone_else'; enabled: boolean }
  | { rule: 'global_control'; enabled: false };

export interface EvaluatedFlag {
  id: string;
  enabled: boolean;
  /** The flag's properties when on; empty when off (as the SDK returns for a disabled flag). */
  properties: Record<string, FlagProperty>;
  /** Which rule decided: its index, `everyone_else` or `global_control`. */
  rule: number | 'everyone_else' | 'global_control';
}

export function decideFlag(
  flag: FlagDefinition,
  user: { profileId: string; inGlobalControl: boolean; inSegment: (id: string) => boolean },
): FlagDecision {
  if (user.inGlobalControl) return { rule: 'global_control', enabled: false };
  const bucket = rolloutBucket(flag.id, user.profileId);
  for (let i = 0; i < flag.rules.length; i++) {
    const rule = flag.rules[i]!;
    if (user.inSegment(rule.segmentId)) return { rule: i, enabled: bucket < rule.rollout };
  }
  const e = flag.everyoneElse;
  return { rule: 'everyone_else', enabled: e.enabled && bucket < e.rollout };
}

export function evaluateFlags(
  flags: readonly FlagDefinition[],
  user: { profileId: string; inGlobalControl: boolean; inSegment: (id: string) => boolean },
): EvaluatedFlag[] {
  // One segment may back several rules and flags: evaluate it once.
  const memo = new Map<string, boolean>();
  const inSegment = (id: string) => {
    let v = memo.get(id);
    if (v === undefined) {
      v = user.inSegment(id);
      memo.set(id, v);
    }
    return v;
  };
  return flags.map((flag) => {
    const d = decideFlag(flag, { ...user, inSegment });
    return {
      id: flag.id,
      enabled: d.enabled,
      properties: d.enabled ? flag.properties : {},
      rule: d.rule,
    };
  });
}
