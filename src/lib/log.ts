/**
 * Structured logs: one JSON object per line, which Workers Logs indexes field by field. Never
 * pass secrets, keys or request bodies here.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = 'info';

/** Set the minimum level that is written (from the HERALD_LOG_LEVEL variable). */
export function setLogLevel(level: string | undefined): void {
  if (level && level in order) threshold = level as Level;
}

/** Write one structured log line. */
/** Whether a line at `level` would be written (skip building costly fields otherwise). */
export function logs(level: Level): boolean {
  return order[level] >= order[threshold];
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
