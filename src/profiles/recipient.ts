import type { Recipient } from '../personalization/scope';
import type { ProfileStore } from './profile-store';

/** What a template may read of this profile (src/personalization/scope.ts builds the variables). */
export function buildRecipient(store: ProfileStore): Recipient {
  const meta = store.live;
  const standard: Recipient['standard'] = {};
  for (const [key, attr] of store.allAttrs(false)) {
    if (attr.value !== null) standard[key] = attr.value;
  }
  const custom: Recipient['custom'] = {};
  for (const [key, attr] of store.allAttrs(true))
    custom[key] = { type: attr.type, value: attr.value };
  const subscriptionGroups: Recipient['subscriptionGroups'] = {};
  for (const row of store.sql
    .exec<{ group_id: string; state: string }>('SELECT group_id, state FROM subscription_groups')
    .toArray()) {
    subscriptionGroups[row.group_id] = row.state;
  }
  const last = store.sql
    .exec<{ last: number | null }>('SELECT MAX(last_used) AS last FROM apps')
    .one().last;
  return {
    brazeId: meta.profileId,
    externalId: store.identity().externalId,
    standard,
    custom,
    subscriptionGroups,
    randomBucket: meta.randomBucket,
    lastUsedAppAt: last ?? null,
  };
}
