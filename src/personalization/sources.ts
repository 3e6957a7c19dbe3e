/**
 * What a render may read beyond the recipient's own data. Each source is bound to one workspace
 * by whoever builds it, so a template can never name another workspace's rows.
 */

/** One catalog item as stored: `id` plus its typed fields. */
export type CatalogItem = Record<string, unknown> & { id: string };

/** Catalog reads for `{% catalog_items %}` and `{% catalog_selection_items %}`. */
export interface CatalogSource {
  /** The items with these ids, in the order asked; ids that do not exist are left out. */
  items(catalog: string, ids: readonly string[]): Promise<CatalogItem[]>;
  /**
   * A selection's items: its filters applied, sorted and limited as the selection says. Filter
   * values may hold Liquid; `renderValue` renders one with the current recipient's context.
   * Unknown catalog or selection: an empty list.
   */
  selection(
    catalog: string,
    selection: string,
    renderValue: (template: string) => Promise<string>,
  ): Promise<CatalogItem[]>;
}

/** An active Content Block, as `{{content_blocks.${name}}}` inserts it. */
export interface ContentBlock {
  name: string;
  content: string;
  /** Epoch ms of the last change: part of the compiled-template cache key. */
  updatedAt: number;
}

/** Content Block reads for `{{content_blocks.${name}}}`. */
export interface ContentBlockSource {
  /** The active block with this name, or null (unknown, or still a draft). */
  get(name: string): Promise<ContentBlock | null>;
}

/** A named credential for Connected Content's `:basic_auth`. */
export interface Credential {
  username: string;
  password: string;
}

/** Credential reads for `:basic_auth name`. */
export interface CredentialSource {
  get(name: string): Promise<Credential | null>;
}
