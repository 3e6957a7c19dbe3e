import { z } from 'zod';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { forgetContentBlock } from './content-block-source';
import {
  type ContentBlockRecord,
  type ContentBlockWrite,
  createContentBlock,
  getContentBlock,
  listContentBlocks,
  updateContentBlock,
} from './content-block-store';
import { isoTime, requiredString, Tags, validLiquid } from './fields';
import { CONTENT_BLOCK_NAME, CONTENT_BLOCK_NAME_MAX, liquidTag } from './liquid-refs';
import { listQuery } from './list-query';

/** Braze's `/content_blocks/*` endpoints (contract §6.6, §10.7), with Braze's error texts. */

const CONTENT_MAX_BYTES = 50 * 1024;
const TAG = 'Content Blocks';

const Name = requiredString(
  'Content Block name cannot be blank',
  'Content Block name must be a string',
)
  .max(CONTENT_BLOCK_NAME_MAX, 'Content Block name must be shorter than 100 characters')
  .regex(CONTENT_BLOCK_NAME, 'Content Block name can only contain alphanumeric characters');

const Description = z
  .string({ error: 'Content Block description must be a string' })
  .max(250, 'Content Block description must be shorter than 250 characters')
  .refine((s) => s.trim().length > 0, 'Content Block description cannot be blank');

const Content = validLiquid(
  requiredString('Content cannot be blank', 'Content must be a string').refine(
    (s) => new TextEncoder().encode(s).byteLength <= CONTENT_MAX_BYTES,
    'Content must be smaller than 50kb',
  ),
  'Content',
);

const State = z.enum(['active', 'draft'], {
  error: 'Content Block state must be either active or draft',
});

const ContentType = z
  .enum(['html', 'text'], { error: 'Content Block content type must be either html or text' })
  .meta({ description: 'Herald extension; Braze sets it from the editor used.' });

const ContentBlockId = requiredString(
  'Content Block ID cannot be blank',
  'Content Block ID must be a string',
);

const CreateBody = z.object({
  name: Name,
  description: Description.optional(),
  content: Content,
  state: State.default('active'),
  content_type: ContentType.default('html'),
  tags: Tags.default([]),
});

const UpdateBody = z
  .object({
    content_block_id: ContentBlockId,
    name: Name.optional(),
    description: Description.optional(),
    content: Content.optional(),
    state: State.optional(),
    content_type: ContentType.optional(),
    tags: Tags.optional(),
  })
  .refine(
    (b) =>
      [b.name, b.description, b.content, b.state, b.content_type, b.tags].some(
        (v) => v !== undefined,
      ),
    { message: 'Give at least one field to update', path: ['content_block_id'] },
  );

const WriteOut = z.object({
  content_block_id: z.string(),
  liquid_tag: z.string(),
  created_at: z.string(),
  message: z.string(),
});

function written(workspaceId: string, result: ContentBlockWrite): ContentBlockRecord {
  switch (result.type) {
    case 'saved':
      if (result.previousName) forgetContentBlock(workspaceId, result.previousName);
      forgetContentBlock(workspaceId, result.block.name);
      return result.block;
    case 'not_found':
      throw badRequest('Content Block ID is invalid for this workspace');
    case 'duplicate_name':
      throw badRequest('Content Block with this name already exists');
    case 'name_locked':
      throw badRequest('Content Block name cannot be updated for active Content Blocks');
    case 'cannot_draft':
      throw badRequest(
        'Active Content Block can not be updated to Draft. Create a new Content Block.',
      );
    case 'self_reference':
      throw badRequest('Content Block cannot be referenced within itself');
  }
}

function writeOut(block: ContentBlockRecord) {
  return {
    content_block_id: block.id,
    liquid_tag: liquidTag(block.name),
    created_at: isoTime(block.createdAt),
    message: 'success',
  };
}

export const createContentBlockRoute = defineRoute({
  method: 'post',
  path: '/content_blocks/create',
  tag: TAG,
  summary: 'Create a Content Block',
  description:
    'Names are unique per workspace, 1-100 letters, digits, `-` or `_`. Content is at most 50 KB ' +
    'and cannot insert the block itself. Tags are free strings (Herald has no tag registry).',
  auth: { type: 'api_key', permission: 'content_blocks.create', bucket: 'default' },
  body: CreateBody,
  success: { status: 201, description: 'The new block', schema: WriteOut },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const block = written(
      workspaceId,
      await createContentBlock(c.env.DB, {
        workspaceId,
        fields: {
          name: body.name,
          description: body.description ?? null,
          content: body.content,
          contentType: body.content_type,
          state: body.state,
          tags: body.tags,
        },
        now: Date.now(),
      }),
    );
    return c.json(writeOut(block), 201);
  },
});

export const updateContentBlockRoute = defineRoute({
  method: 'post',
  path: '/content_blocks/update',
  tag: TAG,
  summary: 'Update a Content Block',
  description:
    'Only the fields sent change; without `state` the block keeps its state. An active block ' +
    'keeps its name and cannot go back to draft. Renders see the change within 5 seconds.',
  auth: { type: 'api_key', permission: 'content_blocks.update', bucket: 'default' },
  body: UpdateBody,
  success: { status: 200, description: 'The updated block', schema: WriteOut },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const block = written(
      workspaceId,
      await updateContentBlock(c.env.DB, {
        workspaceId,
        id: body.content_block_id,
        changes: {
          name: body.name,
          description: body.description,
          content: body.content,
          contentType: body.content_type,
          state: body.state,
          tags: body.tags,
        },
        now: Date.now(),
      }),
    );
    return c.json(writeOut(block));
  },
});

export const listContentBlocksRoute = defineRoute({
  method: 'get',
  path: '/content_blocks/list',
  tag: TAG,
  summary: "List a workspace's Content Blocks",
  description:
    'Ordered by last edit, oldest first. `modified_after` and `modified_before` are inclusive. ' +
    '`inclusion_count` is 0 until campaigns and Canvases can include blocks.',
  auth: { type: 'api_key', permission: 'content_blocks.list', bucket: 'default' },
  query: listQuery('Content Block'),
  success: {
    status: 200,
    description: 'A page of blocks',
    schema: z.object({
      count: z.number().int(),
      content_blocks: z.array(
        z.object({
          content_block_id: z.string(),
          name: z.string(),
          content_type: z.enum(['html', 'text']),
          liquid_tag: z.string(),
          inclusion_count: z.number().int(),
          created_at: z.string(),
          last_edited: z.string(),
          tags: z.array(z.string()),
          state: z.enum(['active', 'draft']),
        }),
      ),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const blocks = await listContentBlocks(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      window: query,
    });
    return c.json({
      count: blocks.length,
      content_blocks: blocks.map((b) => ({
        content_block_id: b.id,
        name: b.name,
        content_type: b.contentType,
        liquid_tag: liquidTag(b.name),
        inclusion_count: 0,
        created_at: isoTime(b.createdAt),
        last_edited: isoTime(b.updatedAt),
        tags: b.tags,
        state: b.state,
      })),
      message: 'success',
    });
  },
});

export const contentBlockInfoRoute = defineRoute({
  method: 'get',
  path: '/content_blocks/info',
  tag: TAG,
  summary: 'Read one Content Block with its content',
  description:
    '`include_inclusion_data=true` adds `inclusion_data`, empty until campaigns and Canvases can ' +
    'include blocks. `state` is a Herald extension.',
  auth: { type: 'api_key', permission: 'content_blocks.info', bucket: 'default' },
  query: z.object({
    content_block_id: ContentBlockId,
    include_inclusion_data: z
      .enum(['true', 'false'], { error: 'include_inclusion_data must be true or false' })
      .optional(),
  }),
  success: {
    status: 200,
    description: 'The block',
    schema: z.object({
      content_block_id: z.string(),
      name: z.string(),
      content: z.string(),
      description: z.string(),
      content_type: z.enum(['html', 'text']),
      tags: z.array(z.string()),
      created_at: z.string(),
      last_edited: z.string(),
      inclusion_count: z.number().int(),
      inclusion_data: z.array(z.unknown()).optional(),
      state: z.enum(['active', 'draft']),
      message: z.string(),
    }),
  },
  handler: async (c, { query }) => {
    const b = await getContentBlock(c.env.DB, c.get('caller').workspace.id, query.content_block_id);
    if (!b) throw badRequest('Content Block ID is invalid for this workspace');
    return c.json({
      content_block_id: b.id,
      name: b.name,
      content: b.content,
      description: b.description ?? '',
      content_type: b.contentType,
      tags: b.tags,
      created_at: isoTime(b.createdAt),
      last_edited: isoTime(b.updatedAt),
      inclusion_count: 0,
      ...(query.include_inclusion_data === 'true' ? { inclusion_data: [] } : {}),
      state: b.state,
      message: 'success',
    });
  },
});
