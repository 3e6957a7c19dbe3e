import { z } from 'zod';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import type { Identifier } from '../ingestion/types';
import { isBrazeId } from '../lib/ids';
import { profileStub } from '../lib/stubs';
import { getEmailTemplate } from '../templates/email-template-store';
import { withProfile } from '../users/locate';
import { renderFields } from './render';
import { buildScope, MessageContext, type Recipient } from './scope';
import { workspaceSources } from './workspace-sources';

/** Fields one preview may render, and the size of each template. */
const MAX_FIELDS = 20;
const MAX_TEMPLATE_CHARS = 512_000;

const UserRef = z.union([
  z.object({ external_id: z.string().min(1) }).strict(),
  z.object({ user_alias: UserAlias }).strict(),
  z.object({ braze_id: z.string().min(1) }).strict(),
  z.object({ email: z.string().min(1) }).strict(),
  z.object({ phone: z.string().min(1) }).strict(),
]);

export const RenderBody = MessageContext.extend({
  fields: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().max(MAX_TEMPLATE_CHARS))
    .refine((f) => Object.keys(f).length <= MAX_FIELDS, {
      message: `at most ${MAX_FIELDS} fields`,
    })
    .optional(),
  /** Render a stored email template's subject, body, plaintext body and preheader. */
  email_template_id: z.string().min(1).optional(),
  /** The recipient; without one, user variables are empty. */
  user: UserRef.optional(),
  /** Braze's request name for API trigger properties. */
  trigger_properties: z.record(z.string(), z.json()).optional(),
  /** Render as if at this instant (ISO 8601): previews of date logic. */
  now: z.iso.datetime({ offset: true }).optional(),
});
export type RenderBody = z.infer<typeof RenderBody>;

const FieldResult = z.union([z.object({ output: z.string() }), z.object({ error: z.string() })]);

function toIdentifier(user: z.infer<typeof UserRef>): Identifier {
  if ('external_id' in user) return { kind: 'external_id', value: user.external_id };
  if ('user_alias' in user) {
    return {
      kind: 'user_alias',
      label: user.user_alias.alias_label,
      name: user.user_alias.alias_name,
    };
  }
  if ('braze_id' in user) return { kind: 'braze_id', value: user.braze_id };
  if ('email' in user) return { kind: 'email', value: user.email };
  return { kind: 'phone', value: user.phone };
}

export const renderRoute = defineRoute({
  method: 'post',
  path: '/herald/templates/render',
  tag: 'Personalization',
  summary: 'Render templates for one user (preview)',
  description:
    'Renders each field with the Braze-dialect Liquid engine that sends use, for the user named ' +
    '(any identifier) and the given campaign, Canvas and trigger properties. Each field answers ' +
    'its output or the reason it failed; `aborted` is set when `abort_message` ran. Connected ' +
    'Content calls are made (and cached) as at send time and listed in `connected_content_calls`. ' +
    'With `email_template_id`, the stored template supplies subject, body, plaintext_body and ' +
    'preheader; `fields` adds to or overrides them.',
  auth: { type: 'api_key', permission: 'herald.templates.render', bucket: 'default' },
  body: RenderBody,
  maxBodyBytes: 4 * 1_048_576,
  success: {
    status: 200,
    description: 'Rendered fields',
    schema: z.object({
      message: z.string(),
      aborted: z.object({ field: z.string(), reason: z.string() }).nullable(),
      fields: z.record(z.string(), FieldResult),
      message_extras: z.record(z.string(), z.string()),
      connected_content_calls: z.array(
        z.object({
          url: z.string(),
          method: z.string(),
          status: z.number().nullable(),
          cached: z.boolean(),
          error: z.string().optional(),
        }),
      ),
    }),
  },
  handler: async (c, { body }) => {
    const workspace = c.get('caller').workspace;
    const now = body.now ? Date.parse(body.now) : Date.now();
    let recipient: Recipient | null = null;
    if (body.user) {
      const id = toIdentifier(body.user);
      const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
      const answer =
        id.kind === 'braze_id' && !isBrazeId(id.value)
          ? ({ status: 'not_found' } as const)
          : await withProfile(b, { workspaceId: workspace.id, id, now }, (profileId) =>
              profileStub(b.profiles, workspace.id, profileId).recipient({
                workspaceId: workspace.id,
                profileId,
                addressedBy: id,
                now,
              }),
            );
      if (answer.status !== 'ok') throw new ApiError(404, 'User not found');
      recipient = answer.recipient;
    }
    const fields: Record<string, string> = {};
    if (body.email_template_id) {
      const template = await getEmailTemplate(c.env.DB, workspace.id, body.email_template_id);
      if (!template) throw badRequest('email_template_id is invalid for this workspace');
      fields.subject = template.subject;
      fields.body = template.body;
      if (template.plaintextBody !== null) fields.plaintext_body = template.plaintextBody;
      if (template.preheader !== null) fields.preheader = template.preheader;
    }
    Object.assign(fields, body.fields);
    if (Object.keys(fields).length === 0)
      throw badRequest('Give fields to render or an email_template_id');
    const {
      fields: _fields,
      email_template_id: _template,
      user: _user,
      trigger_properties,
      now: _now,
      ...message
    } = body;
    const scope = buildScope(recipient, {
      ...message,
      api_trigger_properties: message.api_trigger_properties ?? trigger_properties,
    });
    const outcome = await renderFields({
      fields,
      scope,
      now,
      sources: workspaceSources(c.env.DB, workspace),
    });
    const results: Record<string, z.infer<typeof FieldResult>> = {};
    for (const [name, r] of Object.entries(outcome.fields)) {
      results[name] = r.ok ? { output: r.output } : { error: r.error };
    }
    return c.json({
      message: 'success',
      aborted: outcome.aborted,
      fields: results,
      message_extras: outcome.extras,
      connected_content_calls: outcome.calls,
    });
  },
});
