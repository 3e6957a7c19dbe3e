import type { SessionInput } from '../ingestion/types';
import type { ProfileStore } from './profile-store';

/**
 * SDK sessions (contract §6.5: a session start and a session end are data points). A start counts
 * one session for its app (`apps`: count, first and last use — what the session filters read)
 * and opens a row in `sessions`; an end closes that row with its length. Each emits a change
 * record for the export layer. Only the last MAX_SESSIONS sessions are kept.
 */

const MAX_SESSIONS = 100;

export function recordSession(store: ProfileStore, s: SessionInput): void {
  if (s.kind === 'start') {
    const fresh = store.sql.exec(
      `INSERT OR IGNORE INTO sessions (id, app_id, started_at) VALUES (?, ?, ?)`,
      s.sessionId,
      s.appId,
      s.time,
    ).rowsWritten;
    if (fresh === 0) return;
    store.sql.exec(
      `INSERT INTO apps (app_id, sessions, first_used, last_used) VALUES (?, 1, ?, ?)
       ON CONFLICT(app_id) DO UPDATE SET sessions = sessions + 1,
         first_used = min(first_used, excluded.first_used),
         last_used = max(last_used, excluded.last_used)`,
      s.appId,
      s.time,
      s.time,
    );
    store.sql.exec(
      `DELETE FROM sessions WHERE id NOT IN
         (SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT ${MAX_SESSIONS})`,
    );
    store.emit({
      type: 'session.started',
      time: s.time,
      session_id: s.sessionId,
      app_id: s.appId,
    });
    return;
  }
  const duration = Math.max(0, s.durationS ?? 0);
  store.sql.exec(
    `INSERT INTO sessions (id, app_id, started_at, ended_at, duration_s) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET ended_at = excluded.ended_at, duration_s = excluded.duration_s`,
    s.sessionId,
    s.appId,
    s.time - duration * 1000,
    s.time,
    duration,
  );
  store.sql.exec(`UPDATE apps SET last_used = max(last_used, ?) WHERE app_id = ?`, s.time, s.appId);
  store.emit({
    type: 'session.ended',
    time: s.time,
    session_id: s.sessionId,
    app_id: s.appId,
    duration,
  });
}
