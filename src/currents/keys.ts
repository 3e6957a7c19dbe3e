import { SCHEMA_ID } from './catalog';

/**
 * Object keys of storage connectors, in Braze's layout (contract §4.2):
 * `<prefix>/dataexport.<cluster>.S3.integration.<id>/event_type=<type>/date=<YYYY-MM-DD-HH>/
 * <schema-id>/<zone>/dataexport.<cluster>.S3.integration.<id>+<partition>+<offset>.avro`.
 * `<partition>` is the buffer shard and `<offset>` the buffer sequence number of the file's first
 * event, so a file rewritten after an interrupted flush lands on the same key.
 */

/** Herald's `<cluster-identifier>`: one per deployment, constant for a workspace. */
export const CLUSTER = 'herald-01';
/** The `<zone>` segment: Herald has one. */
export const ZONE = 'a';

function hourOf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}`;
}

/** The key of one Avro file. `queuedAt` is when its first event was queued (the `date` hour). */
export function objectKey(input: {
  prefix: string;
  connectorId: string;
  eventType: string;
  queuedAt: number;
  partition: number;
  offset: number;
}): string {
  const integration = `dataexport.${CLUSTER}.S3.integration.${input.connectorId}`;
  const prefix = input.prefix.replace(/^\/+|\/+$/g, '');
  return [
    ...(prefix ? [prefix] : []),
    integration,
    `event_type=${input.eventType}`,
    `date=${hourOf(input.queuedAt)}`,
    String(SCHEMA_ID),
    ZONE,
    `${integration}+${input.partition}+${String(input.offset).padStart(10, '0')}.avro`,
  ].join('/');
}
