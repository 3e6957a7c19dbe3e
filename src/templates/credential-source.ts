import type { Credential, CredentialSource } from '../personalization/sources';
import { CREDENTIAL_NAME, getCredential } from './credential-store';
import { TtlCache } from './ttl-cache';

// Connected Content calls run once per recipient; a few seconds of caching keeps a large send to
// one D1 read per credential. Replacing or deleting a credential reaches renders within that time.
const CACHE_MS = 5_000;
const credentials = new TtlCache<Credential | null>(CACHE_MS, 1_000);

const keyOf = (workspaceId: string, name: string) => `${workspaceId}\n${name}`;

/** Credentials for `:basic_auth name` in one workspace's renders. */
export function d1CredentialSource(
  db: D1Database,
  workspaceId: string,
  options: { now?: () => number } = {},
): CredentialSource {
  const now = options.now ?? Date.now;
  return {
    get(name) {
      if (!CREDENTIAL_NAME.test(name)) return Promise.resolve(null);
      return credentials.get(keyOf(workspaceId, name), now(), () =>
        getCredential(db, workspaceId, name),
      );
    },
  };
}

/** Forget a cached credential in this isolate, after the operator replaced or deleted it. */
export function forgetCredential(workspaceId: string, name: string): void {
  credentials.delete(keyOf(workspaceId, name));
}
