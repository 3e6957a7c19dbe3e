import { fnv1a32 } from '../lib/hash';

/**
 * Variant and control-group assignment (contract §3.6). Braze concatenates the user's random id
 * with the campaign id, takes the value modulo 100 and maps it onto contiguous slices of the
 * configured percentages. Herald hashes `<profile id>:<campaign id>` into 0..99 and lays the
 * slices out as [control, variant 1, variant 2, ...]: a user lands in the same place on every send
 * while the percentages stay the same, and in unrelated places in different campaigns. Pure.
 */

export interface VariantSlice {
  id: string;
  /** Whole percent. */
  percentage: number;
}

/** What assignment needs to know about a campaign. */
export interface AssignmentPlan {
  campaignId: string;
  variants: readonly VariantSlice[];
  /** Whole percent withheld as the campaign's control group. */
  controlPercentage: number;
  /** Whether the campaign withholds the workspace's Global Control Group (contract §3.8). */
  respectsGlobalControl: boolean;
}

export type Assignment =
  | { type: 'variant'; variantId: string }
  | { type: 'control' }
  /** In the workspace's Global Control Group: withheld before any campaign assignment. */
  | { type: 'global_control' };

/** The assignment plan of a saved campaign. */
export function assignmentPlan(c: {
  id: string;
  variants: readonly VariantSlice[];
  controlPercentage: number;
  controls: { global_control_group: boolean };
}): AssignmentPlan {
  return {
    campaignId: c.id,
    variants: c.variants.map((v) => ({ id: v.id, percentage: v.percentage })),
    controlPercentage: c.controlPercentage,
    respectsGlobalControl: c.controls.global_control_group,
  };
}

/** What the user's history with this campaign says (from the profile's send ledger). */
export type PreviousAssignment =
  | { type: 'control' }
  | { type: 'received'; variantId: string }
  | null;

// murmur3's finaliser: FNV-1a alone leaves the low bits, which `% 100` reads, poorly mixed.
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * The user's bucket for a campaign, 0..99. `salt` draws an independent second bucket (used to
 * re-place a former recipient whose bucket now falls in the control slice).
 */
export function assignmentBucket(campaignId: string, profileId: string, salt = ''): number {
  return mix(fnv1a32(`${profileId}:${campaignId}${salt}`)) % 100;
}

function variantAt(variants: readonly VariantSlice[], point: number): string | null {
  let edge = 0;
  for (const v of variants) {
    edge += v.percentage;
    if (point < edge) return v.id;
  }
  return null;
}

/**
 * Where a user goes for one send. Braze's rules on top of the slices (contract §3.5.1): a user
 * who was in the control group stays there (control users never receive), and a user who has
 * received a variant never joins the control group later, even when the percentages change.
 */
export function assignVariant(
  plan: AssignmentPlan,
  user: { profileId: string; inGlobalControlGroup?: boolean; previous?: PreviousAssignment },
): Assignment {
  if (plan.respectsGlobalControl && user.inGlobalControlGroup) return { type: 'global_control' };
  if (user.previous?.type === 'control') return { type: 'control' };
  const bucket = assignmentBucket(plan.campaignId, user.profileId);
  if (bucket < plan.controlPercentage && user.previous?.type !== 'received') {
    return { type: 'control' };
  }
  const total = plan.variants.reduce((n, v) => n + v.percentage, 0);
  if (total === 0) return { type: 'control' };
  const point =
    bucket >= plan.controlPercentage
      ? bucket - plan.controlPercentage
      : // A former recipient in the control slice: an independent draw over the variants alone.
        (assignmentBucket(plan.campaignId, user.profileId, '#variants') * total) / 100;
  const id = variantAt(plan.variants, point) ?? plan.variants[plan.variants.length - 1]!.id;
  return { type: 'variant', variantId: id };
}
