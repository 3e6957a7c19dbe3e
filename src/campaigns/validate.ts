import { DELIVERED_CHANNELS } from '../delivery/senders';
import { checkTemplate } from '../personalization/render';
import { getSegment, referencedSegments } from '../segments/store';
import { getEmailTemplate } from '../templates/email-template-store';
import { listApps } from '../workspaces/store';
import { messageList, templateFields } from './messages';
import type { CampaignDefinition } from './model';

/**
 * The checks a campaign's shape cannot make alone: what it names must exist in its workspace
 * (segments, apps, email templates), and its templates must compile. Each problem names the
 * offending field, as the management API reports it.
 */

export interface Problem {
  path: string;
  message: string;
}

/** Every problem with a definition in a workspace; empty when it may be saved. */
export async function campaignProblems(
  db: D1Database,
  workspaceId: string,
  d: CampaignDefinition,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const segmentRefs: { path: string; id: string }[] = d.audience.segment_ids.map((id, i) => ({
    path: `audience.segment_ids.${i}`,
    id,
  }));
  for (const id of referencedSegments(d.audience.filter)) {
    segmentRefs.push({ path: 'audience.filter', id });
  }
  if (d.delivery.type === 'action_based') {
    for (const [i, t] of d.delivery.triggers.entries()) {
      if (t.type === 'segment_entry') {
        segmentRefs.push({ path: `delivery.triggers.${i}.segment_id`, id: t.segment_id });
      }
    }
  }
  for (const ref of segmentRefs) {
    const segment = await getSegment(db, workspaceId, ref.id);
    if (!segment || segment.archived) {
      problems.push({ path: ref.path, message: `segment ${ref.id} does not exist` });
    }
  }

  let appIds: Set<string> | null = null;
  for (const [i, v] of d.variants.entries()) {
    for (const m of messageList(v.messages)) {
      const at = `variants.${i}.messages.${m.channel}`;
      for (const [field, source] of Object.entries(templateFields(m))) {
        const check = checkTemplate(source);
        if (!check.ok)
          problems.push({ path: `${at}.${field}`, message: `invalid Liquid: ${check.error}` });
      }
      if (m.channel === 'email' || m.channel === 'sms') {
        appIds ??= new Set((await listApps(db, workspaceId)).map((a) => a.id));
        if (!appIds.has(m.message.app_id)) {
          problems.push({
            path: `${at}.app_id`,
            message: `app ${m.message.app_id} does not exist in this workspace`,
          });
        }
      }
      if (m.channel === 'email' && m.message.email_template_id !== undefined) {
        const template = await getEmailTemplate(db, workspaceId, m.message.email_template_id);
        if (!template) {
          problems.push({
            path: `${at}.email_template_id`,
            message: `email template ${m.message.email_template_id} does not exist`,
          });
        }
      }
    }
  }
  return problems;
}

/**
 * What stops a saved campaign from launching besides its references: a channel Herald cannot
 * deliver yet would be silently dropped, so it is refused instead (drafts may still hold it).
 */
export function launchProblems(d: Pick<CampaignDefinition, 'channels'>): Problem[] {
  return d.channels
    .filter((channel) => !DELIVERED_CHANNELS.has(channel))
    .map((channel) => ({
      path: `variants.0.messages.${channel}`,
      message: `Herald cannot deliver ${channel} messages yet`,
    }));
}
