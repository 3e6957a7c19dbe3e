import { d1CatalogSource } from '../catalogs/liquid-source';
import { d1ContentBlockSource } from '../templates/content-block-source';
import { d1CredentialSource } from '../templates/credential-source';
import type { Workspace } from '../workspaces/store';
import { connectedContentFetcher } from './connected-content';
import type { RenderSources } from './render';

/**
 * Everything a render in this workspace may read, bound to the workspace: catalogs, Content
 * Blocks and Connected Content (its allowlist and credentials). Channels and the preview API
 * both build their sources here, so a template reads the same data wherever it renders.
 */
export function workspaceSources(db: D1Database, workspace: Workspace): RenderSources {
  return {
    catalogs: d1CatalogSource(db, workspace.id),
    contentBlocks: d1ContentBlockSource(db, workspace.id),
    connectedContent: connectedContentFetcher({
      workspaceId: workspace.id,
      allowlist: workspace.settings.connected_content_allowlist,
      credentials: d1CredentialSource(db, workspace.id),
      fetch: (request) => fetch(request),
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
  };
}
