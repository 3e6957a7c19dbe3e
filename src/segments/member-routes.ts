import { z } from 'zod';
import { defineRoute } from '../http/route';
import { DROPPED, MAX_AGE_MS, memberState, servable } from './members';
import { materialVersion } from './members-sql';
import { mustGet } from './route-helpers';
import { cachedDefinitions } from './store';

const MembershipOut = z.object({
  message: z.string(),
  /** `building`: no rows for this definition yet (answers evaluate); `ready`: rows are served. */
  status: z.enum(['none', 'building', 'ready', 'refreshing', 'stale']),
  /** `day`: UTC-day windows, refreshed after midnight; `continuous`: refreshed every 10 minutes. */
  clock: z.enum(['none', 'day', 'continuous']),
  /** Profiles the running pass has reconciled (with `building` or `refreshing`). */
  pass_profiles: z.number().int(),
  pass_started_at: z.string().nullable(),
  /** The rows are as of this time or later. */
  evaluated_at: z.string().nullable(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const segmentMembershipRoute = defineRoute({
  method: 'get',
  path: '/herald/segments/{segment_id}/membership',
  tag: 'Segment management',
  summary: "Progress of the segment's materialised membership",
  description:
    'Members are materialised after a segment is created or changed, by a background pass over ' +
    'the index; until it finishes (`building`), size and preview evaluate the filter instead. ' +
    `\`stale\`: rows of a clock-reading segment not yet refreshed (UTC-day windows after ` +
    `midnight, other relative times after ${MAX_AGE_MS / 60_000} minutes); evaluation answers.`,
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  success: { status: 200, description: 'The state', schema: MembershipOut },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const segment = await mustGet(c.env.DB, workspaceId, c.req.param('segment_id') ?? '');
    const now = Date.now();
    const defs = await cachedDefinitions(c.env.DB, workspaceId, now);
    const byId = new Map(defs.map((d) => [d.id, d]));
    const version = materialVersion(segment, (id) => byId.get(id) ?? null);
    const state = await memberState(c.env.DB, workspaceId, segment.id);
    const current = state !== null && state.version === version && state.version !== DROPPED;
    let status: z.infer<typeof MembershipOut>['status'];
    if (!current) status = segment.archived ? 'none' : 'building';
    else if (!state.ready) status = 'building';
    else if (state.passId !== null) status = 'refreshing';
    else status = servable(state, version, now) ? 'ready' : 'stale';
    return c.json({
      message: 'success',
      status,
      clock: state?.clock ?? 'none',
      pass_profiles: state?.passProfiles ?? 0,
      pass_started_at: iso(state?.passStartedAt ?? null),
      evaluated_at: current ? iso(state.evaluatedAt) : null,
    });
  },
});
