import { getCampaign } from '../../campaigns/store';
import type { Json } from '../../ingestion/types';
import { profileStub } from '../../lib/stubs';
import { renderFields } from '../../personalization/render';
import { buildScope } from '../../personalization/scope';
import { workspaceSources } from '../../personalization/workspace-sources';
import type { InAppEventResult, InAppView } from '../../profiles/in-app';
import type { Addressed, Miss } from '../../profiles/rpc';
import { getWorkspace } from '../../workspaces/store';
import { applyRendered, inAppProblem, inAppTemplates } from './content';

/**
 * What the SDK sync endpoints (and the admin API) call for a user's in-app messages: the
 * eligible set with triggers (session start), a templated message rendered when its trigger
 * fires, and impressions and clicks.
 */

export interface InAppBindings {
  DB: D1Database;
  USER_PROFILE: Env['USER_PROFILE'];
}

/**
 * The messages the user may be shown, highest priority first: not expired, not shown yet, and
 * from campaigns still active (a stopped campaign's triggers are gone at the next session).
 */
export async function eligibleInAppMessages(
  env: InAppBindings,
  req: Addressed,
): Promise<Miss | { status: 'ok'; messages: InAppView[] }> {
  const answer = await profileStub(env.USER_PROFILE, req.workspaceId, req.profileId).inAppMessages(
    req,
  );
  if (answer.status !== 'ok') return answer;
  const ids = [...new Set(answer.messages.flatMap((m) => (m.campaign_id ? [m.campaign_id] : [])))];
  const active = new Set<string>();
  await Promise.all(
    ids.map(async (id) => {
      const c = await getCampaign(env.DB, req.workspaceId, id);
      if (c && c.status === 'active' && !c.archived) active.add(id);
    }),
  );
  return {
    status: 'ok',
    messages: answer.messages.filter((m) => m.campaign_id === null || active.has(m.campaign_id)),
  };
}

export type RenderAnswer =
  | Miss
  | { status: 'message_not_found' }
  | { status: 'aborted'; reason: string }
  | { status: 'ok'; message: NonNullable<InAppView['message']> };

/**
 * A message ready to display. Templated messages are rendered now, for the user as they are now,
 * with the triggering event's properties as `event_properties`; others come as stored.
 */
export async function renderInAppMessage(
  env: InAppBindings,
  req: Addressed & { id: string; eventProperties?: Record<string, Json> },
): Promise<RenderAnswer> {
  const found = await profileStub(env.USER_PROFILE, req.workspaceId, req.profileId).inAppTemplate(
    req,
  );
  if (found.status !== 'ok') return found;
  const view = found.view.message!;
  if (!found.view.templated) return { status: 'ok', message: view };
  const workspace = await getWorkspace(env.DB, req.workspaceId);
  if (!workspace) return { status: 'not_found' };
  const rendered = await renderFields({
    fields: inAppTemplates(found.message),
    scope: buildScope(found.recipient, {
      ...found.context,
      ...(req.eventProperties ? { event_properties: req.eventProperties } : {}),
    }),
    now: req.now,
    sources: workspaceSources(env.DB, workspace),
  });
  if (rendered.aborted) return { status: 'aborted', reason: rendered.aborted.reason };
  const out: Record<string, string> = {};
  for (const [name, f] of Object.entries(rendered.fields)) {
    if (!f.ok) return { status: 'aborted', reason: `${name}: ${f.error}` };
    out[name] = f.output;
  }
  const message = applyRendered(found.message, out);
  const problem = inAppProblem(message);
  if (problem) return { status: 'aborted', reason: problem };
  const { trigger: _t, priority: _p, templated: _x, ...body } = message;
  return { status: 'ok', message: body };
}

/** Record an impression or a click (of the body, or of button 0 or 1). */
export async function recordInAppInteraction(
  env: InAppBindings,
  req: Addressed & {
    id: string;
    event: 'impression' | 'click';
    buttonIndex?: number;
    eventId?: string;
    /** Who reported it (the SDK's app_id, device_id, sdk_version), for Currents. */
    detail?: Record<string, Json>;
  },
): Promise<Miss | InAppEventResult> {
  return profileStub(env.USER_PROFILE, req.workspaceId, req.profileId).inAppMessageEvent({
    ...req,
    at: req.now,
  });
}
