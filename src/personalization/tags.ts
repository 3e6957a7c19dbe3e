import {
  type Context,
  type Emitter,
  type Liquid,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
} from 'liquidjs';
import { compile } from './compile-cache';
import { AbortMessage, stateOf } from './render-state';

/** Braze caps `message_extras` at 1 KB of keys and values together; what does not fit is cut. */
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

/**
 * A key or value of `message_extras`, as a template: Braze renders the Liquid in it first and
 * takes the text, so `123`, `{{value}}` and `id-{{${user_id}}}` all work; outer quotes are dropped.
 */
function extrasTemplate(raw: string, liquid: Liquid): Template[] {
  const t = raw.trim();
  const quoted = /^(['"])([\s\S]*)\1$/.exec(t);
  return compile(liquid, quoted ? quoted[2]! : t);
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** The longest start of `s` that fits in `bytes` UTF-8 bytes, cut between characters. */
function cutToBytes(s: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    used += utf8Length(ch);
    if (used > bytes) break;
    out += ch;
  }
  return out;
}

/**
 * `{% message_extras :key k :value v %}`: attaches a key/value pair to the send event. Key and
 * value are text that may hold `{{ }}` (bare words are literal, not variables). As in Braze,
 * both are trimmed, the first value of a key wins, and pairs past 1 KB are cut. A tag Braze would
 * not read (values before keys, text before the key) adds nothing and does not stop the send.
 */
export class MessageExtrasTag extends Tag {
  private readonly pair: { key: Template[]; value: Template[] } | null;

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const m = /^\s*:key\s+([\s\S]+?)\s+:value\s+([\s\S]+?)\s*$/.exec(token.args);
    this.pair = m
      ? { key: extrasTemplate(m[1]!, liquid), value: extrasTemplate(m[2]!, liquid) }
      : null;
  }

  *render(ctx: Context): Generator<unknown, void, unknown> {
    if (!this.pair) return;
    const state = stateOf(ctx);
    const renderer = this.liquid.renderer;
    const key = String(yield renderer.renderTemplates(this.pair.key, ctx)).trim();
    const value = String(yield renderer.renderTemplates(this.pair.value, ctx)).trim();
    if (key === '' || state.extras.has(key)) return;
    let used = 0;
    for (const [k, v] of state.extras) used += utf8Length(k) + utf8Length(v);
    const room = MESSAGE_EXTRAS_MAX_BYTES - used - utf8Length(key);
    if (room < 0) return;
    state.extras.set(key, cutToBytes(value, room));
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
