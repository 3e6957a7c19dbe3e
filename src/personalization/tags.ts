import {
  type Context,
  type Emitter,
  type Liquid,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  Value,
} from 'liquidjs';
import { compile } from './compile-cache';
import { AbortMessage, stateOf } from './render-state';

/** Braze caps `message_extras` at 1 KB of JSON; what does not fit is dropped. */
export const MESSAGE_EXTRAS_MAX_BYTES = 1024;

/**
 * `{% abort_message %}` / `{% abort_message('reason') %}`: cancels this recipient's send. The
 * reason is plain text (no Liquid), as in Braze.
 */
export class AbortMessageTag extends Tag {
  private readonly reason: string;

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const args = token.args.trim();
    if (args === '' || args === '()') {
      this.reason = '{% abort_message %} called';
    } else {
      const m = /^\(\s*(['"])([\s\S]*)\1\s*\)$/.exec(args);
      if (!m) throw new Error('abort_message takes one quoted reason: abort_message("reason")');
      this.reason = m[2]!;
    }
  }

  render(): never {
    throw new AbortMessage(this.reason);
  }
}

/** An argument of `message_extras`: a quoted string, `{{ expression }}`, a variable, or a bare word. */
function extrasArgument(raw: string, liquid: Liquid): Value | string {
  const t = raw.trim();
  const quoted = /^(['"])([\s\S]*)\1$/.exec(t);
  if (quoted) return quoted[2]!;
  const output = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(t);
  return new Value(output ? output[1]! : t, liquid);
}

/**
 * `{% message_extras :key k :value v %}`: attaches a key/value pair to the send event. Values may
 * be variables or `{{ }}` expressions; keys that are bare words are taken literally.
 */
export class MessageExtrasTag extends Tag {
  private readonly key: Value | string;
  private readonly value: Value | string;

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const m = /^\s*:key\s+([\s\S]+?)\s+:value\s+([\s\S]+?)\s*$/.exec(token.args);
    if (!m) throw new Error('message_extras needs :key and :value');
    const key = m[1]!.trim();
    this.key = /^[\w-]+$/.test(key) ? key : extrasArgument(key, liquid);
    this.value = extrasArgument(m[2]!, liquid);
  }

  *render(ctx: Context): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    const key = typeof this.key === 'string' ? this.key : String((yield this.key.value(ctx)) ?? '');
    const raw = typeof this.value === 'string' ? this.value : yield this.value.value(ctx);
    const value = raw === null || raw === undefined ? '' : String(raw);
    if (state.extras.has(key)) return;
    const next = new Map(state.extras).set(key, value);
    if (
      new TextEncoder().encode(JSON.stringify(Object.fromEntries(next))).length >
      MESSAGE_EXTRAS_MAX_BYTES
    )
      return;
    state.extras.set(key, value);
  }
}

/** How deep Content Blocks nest: a block may include one more; the level after renders nothing. */
export const CONTENT_BLOCK_MAX_DEPTH = 2;

/**
 * The internal tag `{{content_blocks.${name}}}` is rewritten to (see preprocess.ts). The block
 * renders in the caller's scope, so its `assign`s are visible afterwards.
 */
export class ContentBlockTag extends Tag {
  private readonly blockName: string;

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const m = /^\s*(['"])([\s\S]*)\1\s*$/.exec(token.args);
    if (!m) throw new Error('content_blocks takes a quoted name');
    this.blockName = m[2]!;
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const state = stateOf(ctx);
    if (state.blockStack.includes(this.blockName)) {
      throw new Error(`Content Block cycle: ${[...state.blockStack, this.blockName].join(' → ')}`);
    }
    if (state.blockStack.length >= CONTENT_BLOCK_MAX_DEPTH) return;
    if (!state.contentBlocks) throw new Error('Content Blocks are not available here');
    const block = (yield state.contentBlocks.get(this.blockName)) as Awaited<
      ReturnType<NonNullable<typeof state.contentBlocks>['get']>
    >;
    if (!block) throw new Error(`unknown Content Block "${this.blockName}"`);
    const templates: Template[] = compile(this.liquid, block.content);
    state.blockStack.push(this.blockName);
    try {
      yield this.liquid.renderer.renderTemplates(templates, ctx, emitter);
    } finally {
      state.blockStack.pop();
    }
  }
}
