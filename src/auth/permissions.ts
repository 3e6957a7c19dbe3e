/**
 * Braze's REST API key permission strings (contract §7). Keys hold an explicit list of these;
 * each route names the one it needs.
 */
export const PERMISSIONS = [
  'users.track',
  'users.track.sync',
  'users.track.bulk',
  'users.delete',
  'users.alias.new',
  'users.alias.update',
  'users.identify',
  'users.merge',
  'users.external_ids.rename',
  'users.external_ids.remove',
  'users.export.ids',
  'users.export.segment',
  'users.export.global_control_group',
  'email.unsubscribe',
  'email.status',
  'email.hard_bounces',
  'email.bounce.remove',
  'email.spam.remove',
  'email.blacklist',
  'subscription.status.set',
  'subscription.status.get',
  'subscription.groups.get',
  'sms.invalid_phone_numbers',
  'sms.invalid_phone_numbers.remove',
  'events.list',
  'events.data_series',
  'events.get',
  'custom_attributes.get',
  'purchases.product_list',
  'purchases.revenue_series',
  'purchases.quantity_series',
  'sessions.data_series',
  'kpi.dau.data_series',
  'kpi.mau.data_series',
  'kpi.new_users.data_series',
  'kpi.uninstalls.data_series',
  'segments.list',
  'segments.data_series',
  'segments.details',
  'campaigns.list',
  'campaigns.data_series',
  'campaigns.details',
  'campaigns.url_info.details',
  'sends.data_series',
  'sends.id.create',
  'campaigns.trigger.send',
  'campaigns.trigger.schedule.create',
  'campaigns.trigger.schedule.update',
  'campaigns.trigger.schedule.delete',
  'transactional.send',
  'canvas.list',
  'canvas.data_series',
  'canvas.details',
  'canvas.data_summary',
  'canvas.url_info.details',
  'canvas.trigger.send',
  'canvas.trigger.schedule.create',
  'canvas.trigger.schedule.update',
  'canvas.trigger.schedule.delete',
  'messages.send',
  'messages.schedule.create',
  'messages.schedule.update',
  'messages.schedule.delete',
  'messages.schedule_broadcasts',
  'messages.live_activity.update',
  'templates.email.create',
  'templates.email.update',
  'templates.email.info',
  'templates.email.list',
  'content_blocks.info',
  'content_blocks.list',
  'content_blocks.create',
  'content_blocks.update',
  'preference_center.get',
  'preference_center.list',
  'preference_center.update',
  'preference_center.user.get',
  'catalogs.add_items',
  'catalogs.update_items',
  'catalogs.delete_items',
  'catalogs.get_item',
  'catalogs.update_item',
  'catalogs.create_item',
  'catalogs.delete_item',
  'catalogs.replace_item',
  'catalogs.create',
  'catalogs.get',
  'catalogs.delete',
  'catalogs.get_items',
  'catalogs.replace_items',
  'sdk_authentication.create',
  'sdk_authentication.primary',
  'sdk_authentication.delete',
  'sdk_authentication.keys',
  'cdi.integration_list',
  'cdi.integration_sync',
  'cdi.integration_job_status',
  // Herald's own management API (the admin site): not Braze permissions.
  'herald.segments.read',
  'herald.segments.write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const known = new Set<string>(PERMISSIONS);

/** True when `p` is one of Braze's permission strings. */
export function isPermission(p: string): p is Permission {
  return known.has(p);
}

/** What a key stores: Braze permission strings, or '*' for every permission, present and future. */
export type KeyPermission = Permission | '*';

/** True when a key's permissions include `needed`. */
export function grants(held: readonly KeyPermission[], needed: Permission): boolean {
  return held.includes('*') || held.includes(needed);
}
