import { z } from 'zod';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import type { Identifier } from '../ingestion/types';
import { log } from '../lib/log';
import { profileStub } from '../lib/stubs';
import { withProfile } from '../users/locate';
import { FILTER_KINDS, parseSegmentFilter } from './filters';
import { groupsToFilter } from './groups';
import { syncMemberState } from './member-passes';
import { countMembers, pageMembersJson } from './members';
import { countMatching } from './query';
import { mustGet, segmentOut } from './route-helpers';
import { unsegmentableProperty } from './segmentable';
import { saveSegment, setArchived } from './store';

// ---- Herald's management API (the admin site) ----

const FILTER_DESCRIPTION =
  "A filter tree: Braze's Connected Audience form (`AND`/`OR` arrays of one-key filters), " +
  `extended with \`NOT\` and the filter kinds ${Object.keys(FILTER_KINDS).join(', ')}. ` +
  'Property filters (custom_event_property, purchase_property) need the property enabled in ' +
  'the workspace settings segmentable_event_properties / segmentable_purchase_properties.';

const SegmentBody = z
  .object({
    name: z.string().min(1).max(255),
    text_description: z.string().max(2000).nullable().optional(),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    analytics_tracking_enabled: z.boolean().default(true),
    filter: z.unknown().optional().meta({ description: FILTER_DESCRIPTION }),
    /** Or the dashboard form: filter groups and exclusion groups. */
    groups: z.unknown().optional(),
  })
  .refine((b) => (b.filter === undefined) !== (b.groups === undefined), {
    message: 'Give exactly one of filter or groups',
  });

function treeOf(body: z.infer<typeof SegmentBody>): unknown {
  if (body.filter !== undefined) return body.filter;
  const converted = groupsToFilter(body.groups);
  if (!converted.ok) throw badRequest(converted.error);
  return converted.filter;
}

const SegmentOut = z
  .object({ id: z.string(), name: z.string(), filter: z.unknown(), description: z.string() })
  .passthrough();

async function save(c: Ctx, body: z.infer<typeof SegmentBody>, id?: string) {
  const { workspace } = c.get('caller');
  const result = await saveSegment(c.env.DB, {
    workspaceId: workspace.id,
    id,
    name: body.name,
    textDescription: body.text_description ?? null,
    tags: body.tags,
    filter: treeOf(body),
    analyticsTrackingEnabled: body.analytics_tracking_enabled,
    segmentable: workspace.settings,
  });
  if (result.type === 'invalid') throw badRequest(`Invalid segment filter: ${result.error}`);
  if (result.type === 'not_found') throw new ApiError(404, `Segment ${id} not found`);
  await startMembership(c, workspace.id);
  return result.segment;
}

/**
 * Start the pass that (re)builds materialised membership for what changed. A failure here does
 * not undo the save: answers fall back to evaluation, and the minute cron starts it again.
 */
async function startMembership(c: Ctx, workspaceId: string): Promise<void> {
  try {
    await syncMemberState(c.env, { workspaceId, now: Date.now(), purge: false });
  } catch (err) {
    log('warn', 'segment membership sync failed; the cron retries', { error: String(err) });
  }
}

export const createSegmentRoute = defineRoute({
  method: 'post',
  path: '/herald/segments',
  tag: 'Segment management',
  summary: 'Create a segment from a filter tree or filter groups',
  description:
    'The tree is validated when saved; an invalid one is refused with an error naming the offending filter.',
  auth: { type: 'api_key', permission: 'herald.segments.write', bucket: 'default' },
  body: SegmentBody,
  success: { status: 201, description: 'The new segment', schema: SegmentOut },
  handler: async (c, { body }) =>
    c.json({ message: 'success', ...segmentOut(await save(c, body)) }, 201),
});

export const updateSegmentRoute = defineRoute({
  method: 'put',
  path: '/herald/segments/{segment_id}',
  tag: 'Segment management',
  summary: 'Replace a segment definition; takes effect within seconds everywhere',
  auth: { type: 'api_key', permission: 'herald.segments.write', bucket: 'default' },
  body: SegmentBody,
  success: { status: 200, description: 'The segment', schema: SegmentOut },
  handler: async (c, { body }) =>
    c.json({ message: 'success', ...segmentOut(await save(c, body, c.req.param('segment_id'))) }),
});

export const getSegmentRoute = defineRoute({
  method: 'get',
  path: '/herald/segments/{segment_id}',
  tag: 'Segment management',
  summary: 'Read a segment with its filter tree',
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  success: { status: 200, description: 'The segment', schema: SegmentOut },
  handler: async (c) => {
    const s = await mustGet(
      c.env.DB,
      c.get('caller').workspace.id,
      c.req.param('segment_id') ?? '',
    );
    return c.json({ message: 'success', ...segmentOut(s) });
  },
});

function archiveRoute(archived: boolean) {
  return defineRoute({
    method: 'post',
    path: `/herald/segments/{segment_id}/${archived ? 'archive' : 'unarchive'}`,
    tag: 'Segment management',
    summary: archived ? 'Archive a segment' : 'Unarchive a segment',
    auth: { type: 'api_key', permission: 'herald.segments.write', bucket: 'default' },
    success: { status: 200, description: 'Done', schema: z.object({ message: z.string() }) },
    handler: async (c) => {
      const ok = await setArchived(c.env.DB, {
        workspaceId: c.get('caller').workspace.id,
        id: c.req.param('segment_id') ?? '',
        archived,
      });
      if (!ok) throw new ApiError(404, 'Segment not found');
      await startMembership(c, c.get('caller').workspace.id);
      return c.json({ message: 'success' });
    },
  });
}
export const archiveSegmentRoute = archiveRoute(true);
export const unarchiveSegmentRoute = archiveRoute(false);

export const segmentSizeRoute = defineRoute({
  method: 'get',
  path: '/herald/segments/{segment_id}/size',
  tag: 'Segment management',
  summary: 'Exact size of a segment now, from the profile index',
  description:
    'Counted from the materialised members when they are ready and the filter does not read the ' +
    'clock; otherwise the filter is evaluated over the index against now.',
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  success: {
    status: 200,
    description: 'The size',
    schema: z.object({ message: z.string(), size: z.number().int() }),
  },
  handler: async (c) => {
    const segmentId = c.req.param('segment_id') ?? '';
    const { segment, size } = await countMembers(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      segmentId,
      now: Date.now(),
    });
    if (!segment) throw new ApiError(404, `Segment ${segmentId} not found`);
    return c.json({ message: 'success', size });
  },
});

export const segmentPreviewRoute = defineRoute({
  method: 'get',
  path: '/herald/segments/{segment_id}/preview',
  tag: 'Segment management',
  summary: 'A few members of a segment, and a cursor for the next page',
  description:
    'Members in profile-id order. Read from the materialised members once they are ready for the ' +
    'current definition (those of a filter that reads the clock are re-evaluated every 10 ' +
    'minutes), else by evaluating the filter; the cursor works across both. `limit` goes up to ' +
    '10,000 so that a client can enumerate a large segment in few requests.',
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  query: z.object({
    /** Up to 10,000: large pages are how a client enumerates a whole segment quickly. */
    limit: z.coerce.number().int().min(1).max(10_000).default(10),
    cursor: z.string().optional(),
  }),
  success: {
    status: 200,
    description: 'Members',
    schema: z.object({
      message: z.string(),
      users: z.array(z.object({ braze_id: z.string(), external_id: z.string().nullable() })),
      next_cursor: z.string().nullable(),
    }),
  },
  handler: async (c, { query }) => {
    const segmentId = c.req.param('segment_id') ?? '';
    const { segment, page } = await pageMembersJson(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      segmentId,
      now: Date.now(),
      after: query.cursor ?? null,
      limit: query.limit,
    });
    if (!segment) throw new ApiError(404, `Segment ${segmentId} not found`);
    // The users array arrives as JSON text (pageMembersJson) and goes out as it is.
    const next = page.count === query.limit ? page.last : null;
    return c.body(
      `{"message":"success","users":${page.users},"next_cursor":${JSON.stringify(next)}}`,
      200,
      { 'content-type': 'application/json' },
    );
  },
});

export const estimateRoute = defineRoute({
  method: 'post',
  path: '/herald/segments/estimate',
  tag: 'Segment management',
  summary: 'Size of an unsaved filter tree (or filter groups), for the segment editor',
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  body: z.object({
    filter: z.unknown().optional().meta({ description: FILTER_DESCRIPTION }),
    groups: z.unknown().optional(),
  }),
  success: {
    status: 200,
    description: 'The size',
    schema: z.object({ message: z.string(), size: z.number().int() }),
  },
  handler: async (c, { body }) => {
    const tree =
      body.filter !== undefined
        ? body.filter
        : (() => {
            const converted = groupsToFilter(body.groups);
            if (!converted.ok) throw badRequest(converted.error);
            return converted.filter;
          })();
    const parsed = parseSegmentFilter(tree);
    if (!parsed.ok) throw badRequest(`Invalid segment filter: ${parsed.error}`);
    const { workspace } = c.get('caller');
    const disabled = unsegmentableProperty(parsed.filter, workspace.settings);
    if (disabled) throw badRequest(`Invalid segment filter: ${disabled}`);
    const size = await countMatching(c.env.DB, {
      workspaceId: workspace.id,
      filter: parsed.filter,
      now: Date.now(),
    });
    return c.json({ message: 'success', size });
  },
});

export const userSegmentsRoute = defineRoute({
  method: 'get',
  path: '/herald/users/segments',
  tag: 'Segment management',
  summary: "A user's segments right now (real time, from the user's profile)",
  description:
    'Membership is re-evaluated with every change to the profile, before the write answers.',
  auth: { type: 'api_key', permission: 'herald.segments.read', bucket: 'default' },
  query: z
    .object({ external_id: z.string().min(1).optional(), braze_id: z.string().min(1).optional() })
    .refine((q) => (q.external_id === undefined) !== (q.braze_id === undefined), {
      message: 'Give exactly one of external_id or braze_id',
    }),
  success: {
    status: 200,
    description: 'Segments',
    schema: z.object({
      message: z.string(),
      segments: z.array(z.object({ segment_id: z.string(), entered_at: z.string() })),
    }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const id: Identifier = query.external_id
      ? { kind: 'external_id', value: query.external_id }
      : { kind: 'braze_id', value: query.braze_id ?? '' };
    const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
    const now = Date.now();
    const answer = await withProfile(b, { workspaceId, id, now }, (profileId) =>
      profileStub(b.profiles, workspaceId, profileId).memberships({
        workspaceId,
        profileId,
        addressedBy: id.kind === 'braze_id' ? null : id,
        now,
      }),
    );
    if (answer.status !== 'ok') throw new ApiError(404, 'User not found');
    return c.json({
      message: 'success',
      segments: answer.segments.map((s) => ({
        segment_id: s.segment_id,
        entered_at: new Date(s.entered_at).toISOString(),
      })),
    });
  },
});
