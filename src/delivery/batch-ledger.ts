import { type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { CLAIM_LEASE_MS } from '../profiles/sends';
import { type IndexRow, recipientColumns } from './index-recipients';

const dialect = new SQLiteAsyncDialect();

/** A drizzle `sql` query as a D1 statement, for `db.batch`. */
function statement(db: D1Database, query: SQL): D1PreparedStatement {
  const q = dialect.sqlToQuery(query);
  return db.prepare(q.sql).bind(...q.params);
}

/**
 * The batched path's send ledger in D1 (`delivery_claims`): what makes a send exactly once when
 * its dispatch does not go through each user's profile object. A whole deliver message is
 * claimed in one statement, with the same rules as the profile's ledger (src/profiles/sends.ts):
 * a final state is never claimed again, a live claim of this or a later attempt blocks the
 * claimer until its lease runs out, and a channel retry claims with the next attempt number.
 */

export type BatchState = 'claimed' | 'retry_wait' | 'sent' | 'aborted' | 'failed';

/** A send the batched ledger already settled, whose profile record may still be missing. */
export interface SettledClaim {
  profileId: string;
  state: BatchState;
  attempt: number;
  claimedAt: number;
  recorded: boolean;
}

export interface BatchClaim {
  /** Recipients this attempt owns now: render and send these. */
  claimed: string[];
  /** Recipients someone else holds a live claim on: try again after `retryAfterMs`. */
  inFlight: { profileId: string; retryAfterMs: number }[];
  /** Recipients already finished (or owned by a later attempt): nothing to send. */
  settled: SettledClaim[];
}

interface ClaimInput {
  workspaceId: string;
  dispatchId: string;
  channel: string;
  attempt: number;
  profileIds: string[];
  now: number;
}

/**
 * Claim a deliver message's recipients who are in the audience, and read the index rows of those
 * claimed, in one D1 batch (one round trip): an upsert that selects the recipients' index rows
 * through `audience` (the re-check), then the rows this attempt now holds. Plus one read of the
 * others' states when some were not claimed (a redelivery, a retry).
 */
export async function claimMembers(
  db: D1Database,
  input: ClaimInput & {
    /** The audience as an SQL condition over the index row `p` (`audienceCondition`). */
    audience: SQL;
    /** Read the subscription groups too (the templates may print them). */
    withGroups: boolean;
  },
): Promise<BatchClaim & { rows: IndexRow[] }> {
  const ids = JSON.stringify(input.profileIds);
  const [won, read] = await db.batch([
    statement(
      db,
      sql`INSERT INTO delivery_claims
            (dispatch_id, profile_id, channel, workspace_id, state, attempt, claimed_at, updated_at)
          SELECT ${input.dispatchId}, p.profile_id, ${input.channel}, ${input.workspaceId},
                 'claimed', ${input.attempt}, ${input.now}, ${input.now}
          FROM idx_profiles p
          WHERE p.workspace_id = ${input.workspaceId}
            AND p.profile_id IN (SELECT value FROM json_each(${ids}))
            AND (${input.audience})
          ${ON_CONFLICT}
          RETURNING profile_id`,
    ),
    statement(
      db,
      sql`SELECT ${recipientColumns(input.withGroups)}
          FROM delivery_claims c
          JOIN idx_profiles p ON p.workspace_id = ${input.workspaceId} AND p.profile_id = c.profile_id
          WHERE c.dispatch_id = ${input.dispatchId} AND c.channel = ${input.channel}
            AND c.profile_id IN (SELECT value FROM json_each(${ids}))
            AND c.state = 'claimed' AND c.attempt = ${input.attempt}
            AND c.claimed_at = ${input.now}`,
    ),
  ]);
  const claimed = (won!.results as { profile_id: string }[]).map((r) => r.profile_id);
  const rows = read!.results as IndexRow[];
  if (claimed.length === input.profileIds.length) {
    return { claimed, inFlight: [], settled: [], rows };
  }
  return { ...(await othersOf(drizzle(db), input, claimed)), claimed, rows };
}

/**
 * The ledger's rules for taking a claim row: a final state is never claimed again, a live claim
 * of this or a later attempt blocks the claimer until its lease runs out, and a channel retry
 * claims with the next attempt number.
 */
const ON_CONFLICT = sql`ON CONFLICT (dispatch_id, profile_id, channel) DO UPDATE SET
    state = 'claimed', attempt = excluded.attempt, claimed_at = excluded.claimed_at,
    updated_at = excluded.updated_at
  WHERE (delivery_claims.state = 'claimed'
         AND (delivery_claims.attempt < excluded.attempt
              OR delivery_claims.claimed_at + ${CLAIM_LEASE_MS} <= excluded.claimed_at))
     OR (delivery_claims.state = 'retry_wait' AND delivery_claims.attempt < excluded.attempt)`;

/**
 * Where the recipients this attempt did not claim stand: in flight elsewhere or settled. A
 * recipient with no claim row at all was not in the audience (`claimMembers`): in neither list.
 */
async function othersOf(
  d: ReturnType<typeof drizzle>,
  input: ClaimInput,
  claimed: string[],
): Promise<Pick<BatchClaim, 'inFlight' | 'settled'>> {
  const out: Pick<BatchClaim, 'inFlight' | 'settled'> = { inFlight: [], settled: [] };
  const mine = new Set(claimed);
  const rest = input.profileIds.filter((id) => !mine.has(id));
  const rows = await d.all<{
    profile_id: string;
    state: BatchState;
    attempt: number;
    claimed_at: number;
    recorded: number;
  }>(
    sql`SELECT profile_id, state, attempt, claimed_at, recorded FROM delivery_claims
        WHERE dispatch_id = ${input.dispatchId} AND channel = ${input.channel}
          AND profile_id IN (SELECT value FROM json_each(${JSON.stringify(rest)}))`,
  );
  for (const r of rows) {
    if (r.state === 'claimed') {
      out.inFlight.push({
        profileId: r.profile_id,
        retryAfterMs: Math.max(1_000, r.claimed_at + CLAIM_LEASE_MS - input.now),
      });
    } else {
      out.settled.push({
        profileId: r.profile_id,
        state: r.state,
        attempt: r.attempt,
        claimedAt: r.claimed_at,
        recorded: r.recorded === 1,
      });
    }
  }
  return out;
}

/**
 * Record how this attempt's sends ended, one statement per resulting state, and run `also` (the
 * message's campaign statistics) in the same D1 batch. Only rows still claimed by this attempt
 * change: a consumer that lost its lease changes nothing.
 */
export async function finishBatch(
  db: D1Database,
  input: {
    dispatchId: string;
    channel: string;
    attempt: number;
    now: number;
    states: Map<Exclude<BatchState, 'claimed'>, string[]>;
    also?: D1PreparedStatement[];
  },
): Promise<void> {
  const statements = [...input.states]
    .filter(([, ids]) => ids.length > 0)
    .map(([state, ids]) =>
      statement(
        db,
        sql`UPDATE delivery_claims SET state = ${state}, updated_at = ${input.now}
            WHERE dispatch_id = ${input.dispatchId} AND channel = ${input.channel}
              AND attempt = ${input.attempt} AND state = 'claimed'
              AND profile_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      ),
    );
  statements.push(...(input.also ?? []));
  if (statements.length > 0) await db.batch(statements);
}

/** The profiles now hold their own record of these sends. */
export async function markRecorded(
  db: D1Database,
  input: { dispatchId: string; channel: string; profileIds: string[] },
): Promise<void> {
  if (input.profileIds.length === 0) return;
  await drizzle(db).run(
    sql`UPDATE delivery_claims SET recorded = 1
        WHERE dispatch_id = ${input.dispatchId} AND channel = ${input.channel}
          AND profile_id IN (SELECT value FROM json_each(${JSON.stringify(input.profileIds)}))`,
  );
}

/** Progress of a batched dispatch: sends settled, and how many of them the profiles recorded. */
export async function batchProgress(
  db: D1Database,
  dispatchId: string,
): Promise<{ settled: number; recorded: number; pending: number }> {
  const row = await drizzle(db).get<{ settled: number; recorded: number; pending: number }>(
    sql`SELECT
          coalesce(sum(state IN ('sent', 'aborted', 'failed')), 0) AS settled,
          coalesce(sum(state IN ('sent', 'aborted', 'failed') AND recorded = 1), 0) AS recorded,
          coalesce(sum(state IN ('claimed', 'retry_wait')), 0) AS pending
        FROM delivery_claims WHERE dispatch_id = ${dispatchId}`,
  );
  return row ?? { settled: 0, recorded: 0, pending: 0 };
}

/** Claims are kept as long as the profiles keep their ledger rows (30 days), then pruned. */
export async function pruneClaims(db: D1Database, before: number): Promise<void> {
  await drizzle(db).run(
    sql`DELETE FROM delivery_claims WHERE updated_at < ${before}
        AND state IN ('sent', 'aborted', 'failed') AND recorded = 1`,
  );
}
