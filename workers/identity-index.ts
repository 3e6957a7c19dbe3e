import { DurableObject } from 'cloudflare:workers';
import {
  type DirectoryKind,
  type DirectoryOp,
  DirectoryStore,
} from '../src/profiles/directory-store';

/** One shard of a workspace's identifier directory (see src/lib/stubs.ts for sharding). */
export class IdentityIndex extends DurableObject<Env> {
  private store!: DirectoryStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.store = new DirectoryStore(ctx.storage.sql);
    });
  }

  lookup(keys: { kind: DirectoryKind; value: string }[]) {
    return this.store.lookup(keys);
  }
  claim(input: { kind: 'external_id' | 'user_alias'; value: string; profileId: string }) {
    return this.store.claim({ ...input, now: Date.now() });
  }
  apply(ops: DirectoryOp[]) {
    this.store.apply(ops, Date.now());
  }
}
