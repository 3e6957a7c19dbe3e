import type { ContentBlock, ContentBlockSource } from '../personalization/sources';
import { getContentBlockByName } from './content-block-store';
import { isContentBlockName } from './liquid-refs';
import { TtlCache } from './ttl-cache';

// A send renders the same blocks for every recipient: a few seconds of caching turns thousands of
// reads into one, and an edit still reaches new renders within that time without a redeploy.
const CACHE_MS = 5_000;
const blocks = new TtlCache<ContentBlock | null>(CACHE_MS, 5_000);

const keyOf = (workspaceId: string, name: string) => `${workspaceId}\n${name}`;

/** Content Blocks for renders in one workspace: active blocks by name, drafts as unknown. */
export function d1ContentBlockSource(
  db: D1Database,
  workspaceId: string,
  options: { now?: () => number } = {},
): ContentBlockSource {
  const now = options.now ?? Date.now;
  return {
    get(name) {
      // A name no block can have is never looked up (nor cached).
      if (!isContentBlockName(name)) return Promise.resolve(null);
      return blocks.get(keyOf(workspaceId, name), now(), async () => {
        const block = await getContentBlockByName(db, workspaceId, name);
        if (block?.state !== 'active') return null;
        return { name: block.name, content: block.content, updatedAt: block.updatedAt };
      });
    },
  };
}

/** Forget a cached block in this isolate, so the API's own writes show in the next render. */
export function forgetContentBlock(workspaceId: string, name: string): void {
  blocks.delete(keyOf(workspaceId, name));
}
