import { z } from 'zod';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { existingContentBlockNames } from './content-block-store';
import {
  createEmailTemplate,
  type EmailTemplateFields,
  getEmailTemplate,
  listEmailTemplates,
  updateEmailTemplate,
} from './email-template-store';
import { isoTime, requiredString, Tags, validLiquid } from './fields';
import { referencedContentBlocks } from './liquid-refs';
import { listQuery } from './list-query';

/** Braze's `/templates/email/*` endpoints, with Braze's error texts. */

const TAG = 'Email templates';

function text(field: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? `${field} is required` : `${field} must be a string`,
  });
}

/** A field that is a template: it must parse. */
function liquid(field: string) {
  return validLiquid(text(field), field);
}

const TemplateName = requiredString('Template name is required', 'Template name must be a string');
const ShouldInlineCss = z.boolean({
  error: 'Invalid value for should_inline_css. One of true or false was expected',
});
const EmailTemplateId = requiredString(
  'Email template ID cannot be blank',
  'Email template ID must be a string',
);

const CreateBody = z.object({
  template_name: TemplateName,
  subject: liquid('Subject'),
  body: liquid('Body'),
  plaintext_body: liquid('Plaintext body').optional(),
  preheader: liquid('Preheader').optional(),
  description: text('Description')
    .optional()
    .meta({ description: 'Herald extension: Braze sets it in the dashboard.' }),
  tags: Tags.default([]),
  should_inline_css: ShouldInlineCss.optional(),
});

const UpdateBody = z
  .object({
    email_template_id: EmailTemplateId,
    template_name: TemplateName.optional(),
    subject: liquid('Subject').optional(),
    body: liquid('Body').optional(),
    plaintext_body: liquid('Plaintext body').optional(),
    preheader: liquid('Preheader').optional(),
    description: text('Description').optional(),
    tags: Tags.optional(),
    should_inline_css: ShouldInlineCss.optional(),
  })
  .refine((b) => Object.entries(b).some(([k, v]) => k !== 'email_template_id' && v !== undefined), {
    message: 'Give at least one field to update',
    path: ['email_template_id'],
  });

/**
 * Braze refuses a template that inserts Content Blocks the workspace does not have; drafts
 * count, since they can be activated later without touching the template.
 */
async function requireKnownBlocks(
  db: D1Database,
  workspaceId: string,
  fields: Partial<EmailTemplateFields>,
): Promise<void> {
  const texts = [fields.subject, fields.body, fields.plaintextBody, fields.preheader];
  const names = referencedContentBlocks(texts.filter((t) => t !== undefined).join('\n'));
  if (names.length === 0) return;
  const found = await existingContentBlockNames(db, workspaceId, names);
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0) {
    throw badRequest(
      'Email must have valid Content Block names',
      missing.map((n) => `Unknown Content Block: ${n}`),
    );
  }
}

export const createEmailTemplateRoute = defineRoute({
  method: 'post',
  path: '/templates/email/create',
  tag: TAG,
  summary: 'Create an email template',
  description:
    'Content Blocks the subject or bodies insert must exist in the workspace. Tags are free ' +
    'strings (Herald has no tag registry).',
  auth: { type: 'api_key', permission: 'templates.email.create', bucket: 'default' },
  body: CreateBody,
  success: {
    status: 201,
    description: 'The new template',
    schema: z.object({ email_template_id: z.string(), message: z.string() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const fields: EmailTemplateFields = {
      templateName: body.template_name,
      description: body.description ?? null,
      subject: body.subject,
      body: body.body,
      plaintextBody: body.plaintext_body ?? null,
      preheader: body.preheader ?? null,
      shouldInlineCss: body.should_inline_css ?? null,
      tags: body.tags,
    };
    await requireKnownBlocks(c.env.DB, workspaceId, fields);
    const template = await createEmailTemplate(c.env.DB, { workspaceId, fields, now: Date.now() });
    return c.json({ email_template_id: template.id, message: 'success' }, 201);
  },
});

export const updateEmailTemplateRoute = defineRoute({
  method: 'post',
  path: '/templates/email/update',
  tag: TAG,
  summary: 'Update an email template',
  description: 'Only the fields sent change; at least one besides `email_template_id` is needed.',
  auth: { type: 'api_key', permission: 'templates.email.update', bucket: 'default' },
  body: UpdateBody,
  success: {
    status: 200,
    description: 'Updated',
    schema: z.object({ email_template_id: z.string(), message: z.string() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const changes: Partial<EmailTemplateFields> = {
      templateName: body.template_name,
      description: body.description,
      subject: body.subject,
      body: body.body,
      plaintextBody: body.plaintext_body,
      preheader: body.preheader,
      shouldInlineCss: body.should_inline_css,
      tags: body.tags,
    };
    await requireKnownBlocks(c.env.DB, workspaceId, changes);
    const updated = await updateEmailTemplate(c.env.DB, {
      workspaceId,
      id: body.email_template_id,
      changes,
      now: Date.now(),
    });
    if (!updated) throw badRequest('Email template ID is invalid for this workspace');
    return c.json({ email_template_id: body.email_template_id, message: 'success' });
  },
});

export const listEmailTemplatesRoute = defineRoute({
  method: 'get',
  path: '/templates/email/list',
  tag: TAG,
  summary: "List a workspace's email templates",
  description:
    'Ordered by last edit, oldest first. `modified_after` and `modified_before` are inclusive.',
  auth: { type: 'api_key', permission: 'templates.email.list', bucket: 'default' },
  query: listQuery('Template'),
  success: {
    status: 200,
    description: 'A page of templates',
    schema: z.object({
      count: z.number().int(),
      templates: z.array(
        z.object({
          email_template_id: z.string(),
          template_name: z.string(),
          created_at: z.string(),
          updated_at: z.string(),
          tags: z.array(z.string()),
        }),
      ),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const templates = await listEmailTemplates(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      window: query,
    });
    return c.json({
      count: templates.length,
      templates: templates.map((t) => ({
        email_template_id: t.id,
        template_name: t.templateName,
        created_at: isoTime(t.createdAt),
        updated_at: isoTime(t.updatedAt),
        tags: t.tags,
      })),
      message: 'success',
    });
  },
});

export const emailTemplateInfoRoute = defineRoute({
  method: 'get',
  path: '/templates/email/info',
  tag: TAG,
  summary: 'Read one email template with its bodies',
  description: '`should_inline_css` is null when the template never set it.',
  auth: { type: 'api_key', permission: 'templates.email.info', bucket: 'default' },
  query: z.object({ email_template_id: EmailTemplateId }),
  success: {
    status: 200,
    description: 'The template',
    schema: z.object({
      email_template_id: z.string(),
      template_name: z.string(),
      description: z.string(),
      subject: z.string(),
      preheader: z.string().nullable(),
      body: z.string(),
      plaintext_body: z.string().nullable(),
      should_inline_css: z.boolean().nullable(),
      tags: z.array(z.string()),
      created_at: z.string(),
      updated_at: z.string(),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const t = await getEmailTemplate(
      c.env.DB,
      c.get('caller').workspace.id,
      query.email_template_id,
    );
    if (!t) throw badRequest('Email template ID is invalid for this workspace');
    return c.json({
      email_template_id: t.id,
      template_name: t.templateName,
      description: t.description ?? '',
      subject: t.subject,
      preheader: t.preheader,
      body: t.body,
      plaintext_body: t.plaintextBody,
      should_inline_css: t.shouldInlineCss,
      tags: t.tags,
      created_at: isoTime(t.createdAt),
      updated_at: isoTime(t.updatedAt),
      message: 'success',
    });
  },
});
