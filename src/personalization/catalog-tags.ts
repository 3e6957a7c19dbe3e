import {
  type Context,
  type Liquid,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
} from 'liquidjs';
import { compile } from './compile-cache';
import { stateOf } from './render-state';
import type { CatalogItem, CatalogSource } from './sources';

const REGISTER_RERENDER = 'herald.catalog_rerender';

function sourceOf(ctx: Context): CatalogSource {
  const state = stateOf(ctx);
  if (!state.catalogs) throw new Error('catalogs are not available here');
  if (ctx.getRegister(REGISTER_RERENDER, false)) {
    throw new Error('catalog tags cannot be used inside catalog items');
  }
  return state.catalogs;
}

/** Render a string with the current scope (used for tag arguments and `:rerender`). */
function* renderString(
  liquid: Liquid,
  ctx: Context,
  source: string,
): Generator<unknown, string, unknown> {
  const templates = compile(liquid, source);
  return String(yield liquid.renderer.renderTemplates(templates, ctx));
}

/** `:rerender`: Liquid inside the items' string fields renders, one level deep, in this scope. */
function* rerender(
  liquid: Liquid,
  ctx: Context,
  items: CatalogItem[],
): Generator<unknown, CatalogItem[], unknown> {
  const saved = ctx.getRegister(REGISTER_RERENDER, false);
  ctx.setRegister(REGISTER_RERENDER, true);
  try {
    const out: CatalogItem[] = [];
    for (const item of items) {
      const copy: CatalogItem = { ...item };
      for (const [k, v] of Object.entries(item)) {
        if (typeof v === 'string' && (v.includes('{{') || v.includes('{%'))) {
          copy[k] = yield* renderString(liquid, ctx, v);
        }
      }
      out.push(copy);
    }
    return out;
  } finally {
    ctx.setRegister(REGISTER_RERENDER, saved);
  }
}

abstract class CatalogTag extends Tag {
  protected readonly args: Template[];

  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    // Arguments may hold Liquid (`{{ wishlist[0] }}`, a templated catalog name): parse them now.
    this.args = compile(liquid, token.args);
  }

  protected *words(
    ctx: Context,
  ): Generator<unknown, { words: string[]; rerender: boolean }, unknown> {
    const text = String(yield this.liquid.renderer.renderTemplates(this.args, ctx));
    const all = text.split(/\s+/).filter((w) => w !== '');
    return { words: all.filter((w) => w !== ':rerender'), rerender: all.includes(':rerender') };
  }
}

/**
 * `{% catalog_items <catalog> <id> [<id> …] [:rerender] %}`: sets `items` to those items, in
 * the order given; unknown ids are left out (check `items.size`).
 */
export class CatalogItemsTag extends CatalogTag {
  *render(ctx: Context): Generator<unknown, void, unknown> {
    const source = sourceOf(ctx);
    const { words, rerender: again } = yield* this.words(ctx);
    const [catalog, ...ids] = words;
    if (!catalog) throw new Error('catalog_items needs a catalog name');
    let items = (yield source.items(catalog, ids)) as CatalogItem[];
    if (again) items = yield* rerender(this.liquid, ctx, items);
    ctx.bottom().items = items;
  }
}

/** `{% catalog_selection_items <catalog> <selection> [:rerender] %}`: sets `items` to the selection. */
export class CatalogSelectionItemsTag extends CatalogTag {
  *render(ctx: Context): Generator<unknown, void, unknown> {
    const source = sourceOf(ctx);
    const { words, rerender: again } = yield* this.words(ctx);
    const [catalog, selection] = words;
    if (!catalog || !selection)
      throw new Error('catalog_selection_items needs a catalog and a selection');
    const liquid = this.liquid;
    // Selection filter values may use the recipient's data: render them in this scope.
    const renderValue = async (template: string): Promise<string> =>
      String(await liquid.render(compile(liquid, template), ctx));
    let items = (yield source.selection(catalog, selection, renderValue)) as CatalogItem[];
    if (again) items = yield* rerender(this.liquid, ctx, items);
    ctx.bottom().items = items;
  }
}
