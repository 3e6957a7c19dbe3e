/**
 * The Currents event catalog (contract braze-data-api.md §4.7): every event type Herald exports,
 * with Braze's field names, Avro types and order, written as in the contract
 * (`name:type`, `?` = optional, a `["null", T]` union defaulting to null). The Avro schemas, the
 * flat storage records and the custom HTTP connector's nested events all come from this one table.
 */

/** Avro types the catalog uses. */
export type FieldType = 'string' | 'int' | 'long' | 'float' | 'boolean' | 'array<string>';

export interface CatalogField {
  name: string;
  type: FieldType;
  optional: boolean;
  doc: string;
}

export interface EventTypeSpec {
  /** e.g. `users.messages.email.Send`. */
  type: EventType;
  doc: string;
  fields: CatalogField[];
}

/**
 * The `<schema-id>` of object keys: one counter across every event type, bumped whenever any
 * schema below changes (a field added, removed or retyped).
 */
export const SCHEMA_ID = 2;

const RAW = {
  'users.behaviors.CustomEvent': {
    doc: 'when a user performs a custom event',
    fields:
      'id:string user_id:string external_user_id:?string app_id:?string time:int timezone:?string platform:?string os_version:?string device_model:?string device_id:?string name:string properties:string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.behaviors.Purchase': {
    doc: 'when a user makes a purchase',
    fields:
      'id:string user_id:string external_user_id:?string app_id:?string time:int platform:?string os_version:?string device_model:?string device_id:?string product_id:string price:float currency:string properties:string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.behaviors.subscription.GlobalStateChange': {
    doc: 'when a user is subscribed or unsubscribed globally from a channel such as email',
    fields:
      'id:string user_id:string external_user_id:?string email_address:?string state_change_source:?string subscription_status:string channel:?string time:int timezone:?string app_group_id:?string app_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string channel_identifier:?string',
  },
  'users.behaviors.subscriptiongroup.StateChange': {
    doc: 'when a user is subscribed or unsubscribed to/from a subscription group',
    fields:
      'id:string user_id:string external_user_id:?string email_address:?string phone_number:?string app_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string subscription_group_id:string subscription_status:string channel:?string time:int timezone:?string send_id:?string state_change_source:?string app_group_id:?string dispatch_id:?string channel_identifier:?string',
  },
  'users.behaviors.app.SessionStart': {
    doc: 'when a user begins a session on an app',
    fields:
      'id:string user_id:string external_user_id:?string app_id:string time:int session_id:string platform:?string os_version:?string device_model:?string device_id:?string app_group_id:?string',
  },
  'users.behaviors.app.SessionEnd': {
    doc: 'when a user ends a session on an app',
    fields:
      'id:string user_id:string external_user_id:?string app_id:string time:int duration:?float session_id:string platform:?string os_version:?string device_model:?string device_id:?string app_group_id:?string',
  },
  'users.RandomBucketNumberUpdate': {
    doc: "A user's current and previous random bucket number at the time it is changed",
    fields:
      'id:string app_group_id:?string user_id:string external_user_id:?string time:int random_bucket_number:int prev_random_bucket_number:?int',
  },
  'users.UserDeleteRequest': {
    doc: 'when a user is deleted by customer request',
    fields: 'id:string user_id:string app_group_id:?string time:int',
  },
  'users.UserOrphan': {
    doc: "when a user is orphaned, meaning the user is merged with another user's profile",
    fields:
      'id:string user_id:string external_user_id:?string device_id:?string app_group_id:?string app_id:?string time:int orphaned_by_id:string',
  },
  'users.profile.Update': {
    doc: 'Message representing the profile updates for a user',
    fields:
      'app_group_id:?string external_user_id:?string id:string time:int time_ms:long user_id:string app_id:?string update_source:string archived:?boolean first_name:?string last_name:?string email_address:?string gender:?string phone_number:?string dob:?string timezone:?string home_city:?string country:?string language:?string custom_attributes:?string',
  },
  'users.campaigns.Conversion': {
    doc: 'when a user converts for a campaign',
    fields:
      'id:string user_id:string external_user_id:?string app_id:?string time:int timezone:?string campaign_id:string campaign_name:?string message_variation_id:?string message_variation_name:?string send_id:?string conversion_behavior_index:?int conversion_behavior:?string app_group_id:?string',
  },
  'users.campaigns.EnrollInControl': {
    doc: 'when a user is enrolled in the control group for a campaign',
    fields:
      'id:string user_id:string external_user_id:?string app_id:?string time:int timezone:?string campaign_id:string campaign_name:?string message_variation_id:?string message_variation_name:?string send_id:?string app_group_id:?string',
  },
  'users.messages.contentcard.Abort': {
    doc: 'An originally scheduled contentcard message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string app_group_id:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string device_id:?string dispatch_id:?string external_user_id:?string id:string message_variation_id:?string message_variation_name:?string send_id:?string time:int timezone:?string user_id:string',
  },
  'users.messages.contentcard.Click': {
    doc: 'when a user clicks a content card',
    fields:
      'id:string user_id:string external_user_id:?string content_card_id:string time:int app_id:string send_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_variation_id:?string canvas_step_id:?string canvas_variation_name:?string canvas_step_name:?string canvas_name:?string timezone:?string device_id:?string platform:?string os_version:?string device_model:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.messages.contentcard.Dismiss': {
    doc: 'when a user dismisses a content card',
    fields:
      'id:string user_id:string external_user_id:?string content_card_id:string time:int app_id:string send_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string canvas_name:?string timezone:?string device_id:?string platform:?string os_version:?string device_model:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.messages.contentcard.Impression': {
    doc: 'when a user views a content card',
    fields:
      'id:string user_id:string external_user_id:?string content_card_id:string time:int app_id:string send_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string canvas_name:?string timezone:?string device_id:?string platform:?string os_version:?string device_model:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.messages.contentcard.Send': {
    doc: 'when we send a content card to a user',
    fields:
      'id:string user_id:string external_user_id:?string content_card_id:string time:int send_id:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string canvas_name:?string timezone:?string device_id:?string message_extras:?string app_group_id:?string',
  },
  'users.messages.email.Abort': {
    doc: 'An originally scheduled email message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string app_group_id:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string device_id:?string dispatch_id:?string email_address:string external_user_id:?string id:string ip_pool:?string message_variation_id:?string message_variation_name:?string send_id:?string time:int timezone:?string user_id:string',
  },
  'users.messages.email.Bounce': {
    doc: 'ESP reported a hard bounce (permanent failure)',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string sending_ip:?string ip_pool:?string bounce_reason:?string esp:?string from_domain:?string is_drop:?boolean app_group_id:?string',
  },
  'users.messages.email.Click': {
    doc: 'when a user clicks a link in an email',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string url:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string user_agent:?string ip_pool:?string link_id:?string link_alias:?string esp:?string from_domain:?string is_amp:?boolean app_group_id:?string device_class:?string device_os:?string device_model:?string browser:?string mailbox_provider:?string is_suspected_bot_click:?boolean suspected_bot_click_reason:?array<string>',
  },
  'users.messages.email.Delivery': {
    doc: 'when an email is delivered',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string sending_ip:?string ip_pool:?string esp:?string from_domain:?string app_group_id:?string',
  },
  'users.messages.email.MarkAsSpam': {
    doc: 'when an email is marked as spam',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string user_agent:?string ip_pool:?string esp:?string from_domain:?string app_group_id:?string',
  },
  'users.messages.email.Open': {
    doc: 'when a user begins opens an email',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string user_agent:?string ip_pool:?string machine_open:?string esp:?string from_domain:?string is_amp:?boolean app_group_id:?string device_class:?string device_os:?string device_model:?string browser:?string mailbox_provider:?string',
  },
  'users.messages.email.Send': {
    doc: 'when we send an email to a user',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string ip_pool:?string message_extras:?string app_group_id:?string from_domain:?string',
  },
  'users.messages.email.SoftBounce': {
    doc: 'when an email soft bounces',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string sending_ip:?string ip_pool:?string bounce_reason:?string esp:?string from_domain:?string app_group_id:?string',
  },
  'users.messages.email.Unsubscribe': {
    doc: 'when a user unsubscribes from email',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string email_address:string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string ip_pool:?string app_group_id:?string',
  },
  'users.messages.featureflag.Impression': {
    doc: 'when a user views an feature flag',
    fields:
      'id:string app_id:?string app_group_id:?string campaign_id:?string canvas_id:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_variation_id:?string feature_flag_id_name:?string message_variation_id:?string external_user_id:?string device_id:?string time:int gender:?string browser:?string carrier:?string country:?string device_model:?string language:?string os_version:?string platform:?string resolution:?string sdk_version:?string timezone:?string user_id:string campaign_name:?string canvas_name:?string canvas_step_name:?string canvas_variation_name:?string message_variation_name:?string',
  },
  'users.messages.inappmessage.Abort': {
    doc: 'An originally scheduled inappmessage message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string app_id:?string browser:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string card_id:?string carrier:?string device_id:?string device_model:?string dispatch_id:?string external_user_id:?string id:string message_variation_id:?string message_variation_name:?string os_version:?string platform:?string resolution:?string send_id:?string time:int timezone:?string user_id:string version:string',
  },
  'users.messages.inappmessage.Click': {
    doc: 'when a user clicks an in app message',
    fields:
      'id:string user_id:string external_user_id:?string app_id:string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string card_id:?string platform:?string os_version:?string device_model:?string button_id:?string send_id:?string device_id:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.messages.inappmessage.Impression': {
    doc: 'when a user views an in app message',
    fields:
      'id:string user_id:string external_user_id:?string time:int timezone:?string app_id:string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string card_id:?string platform:?string os_version:?string device_model:?string send_id:?string device_id:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string message_extras:?string locale_key:?string',
  },
  'users.messages.pushnotification.Abort': {
    doc: 'An originally scheduled pushnotification message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string app_group_id:?string app_id:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string device_id:?string dispatch_id:?string external_user_id:?string id:string message_variation_id:?string message_variation_name:?string platform:string send_id:?string time:int timezone:?string user_id:string',
  },
  'users.messages.pushnotification.Bounce': {
    doc: 'when a push notification bounces',
    fields:
      'id:string user_id:string external_user_id:?string app_id:string time:int timezone:?string platform:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string dispatch_id:?string device_id:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean push_token:?string app_group_id:?string',
  },
  'users.messages.pushnotification.Open': {
    doc: 'push opened, or any push button tapped (including a close button that does not open the app)',
    fields:
      'id:string user_id:string external_user_id:?string time:int timezone:?string app_id:string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string canvas_step_message_variation_id:?string platform:?string os_version:?string device_model:?string send_id:?string dispatch_id:?string device_id:?string button_action_type:?string button_string:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean app_group_id:?string',
  },
  'users.messages.pushnotification.Send': {
    doc: 'when we send a push notification to a user',
    fields:
      'id:string user_id:string external_user_id:?string app_id:string time:int timezone:?string platform:string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string dispatch_id:?string device_id:?string ad_id:?string ad_id_type:?string ad_tracking_enabled:?boolean message_extras:?string push_token:?string app_group_id:?string locale_key:?string',
  },
  'users.messages.sms.Abort': {
    doc: 'An originally scheduled sms message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string app_group_id:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string external_user_id:?string id:string message_variation_id:?string message_variation_name:?string subscription_group_id:?string time:int user_id:string',
  },
  'users.messages.sms.Delivery': {
    doc: 'when a SMS message is delivered',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string to_phone_number:?string subscription_group_id:?string from_phone_number:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string app_group_id:?string is_sms_fallback:?boolean',
  },
  'users.messages.sms.DeliveryFailure': {
    doc: 'when Braze is unable to deliver the SMS message to the SMS service provider',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string to_phone_number:?string subscription_group_id:?string error:?string provider_error_code:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string app_group_id:?string is_sms_fallback:?boolean',
  },
  'users.messages.sms.Rejection': {
    doc: 'when a SMS message is not delivered to a user',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string to_phone_number:?string subscription_group_id:?string from_phone_number:?string error:?string provider_error_code:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string app_group_id:?string is_sms_fallback:?boolean',
  },
  'users.messages.sms.Send': {
    doc: 'when a SMS message is sent',
    fields:
      'id:string user_id:string dispatch_id:?string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string to_phone_number:?string subscription_group_id:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string category:?string message_extras:?string app_group_id:?string',
  },
  'users.messages.sms.ShortLinkClick': {
    doc: 'when a user clicks a Braze shortened URL included in an SMS message',
    fields:
      'id:string user_id:string external_user_id:?string app_group_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string url:string short_url:string user_agent:?string user_phone_number:?string is_suspected_bot_click:?boolean suspected_bot_click_reason:?array<string>',
  },
  'users.messages.webhook.Abort': {
    doc: 'An originally scheduled webhook message was aborted for some reason.',
    fields:
      'abort_log:?string abort_type:?string app_group_id:?string campaign_id:?string campaign_name:?string canvas_id:?string canvas_name:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_step_name:?string canvas_variation_id:?string canvas_variation_name:?string device_id:?string dispatch_id:?string external_user_id:?string id:string message_variation_id:?string message_variation_name:?string send_id:?string time:int timezone:?string user_id:string',
  },
  'users.messages.webhook.Failure': {
    doc: 'webhook reached the endpoint but got an error response',
    fields:
      'http_status_code:?int endpoint_url:?string app_group_id:?string campaign_id:?string canvas_id:?string canvas_step_id:?string canvas_step_message_variation_id:?string canvas_variation_id:?string content_length:?int dispatch_id:?string external_user_id:?string host:?string id:string message_variation_id:?string raw_response:?string retry_count:?int send_id:?string time:int url_path:?string user_id:string webhook_duration:?int webhook_failure_source:?string is_terminal:?boolean campaign_name:?string canvas_name:?string canvas_step_name:?string canvas_variation_name:?string message_variation_name:?string',
  },
  'users.messages.webhook.Send': {
    doc: 'when we send a webhook for a user',
    fields:
      'id:string user_id:string external_user_id:?string time:int timezone:?string campaign_id:?string campaign_name:?string message_variation_id:?string message_variation_name:?string canvas_id:?string canvas_name:?string canvas_variation_id:?string canvas_variation_name:?string canvas_step_id:?string canvas_step_name:?string send_id:?string message_extras:?string app_group_id:?string dispatch_id:?string',
  },
} as const satisfies Record<string, { doc: string; fields: string }>;

export type EventType = keyof typeof RAW;

/** Every event type Herald can export, in catalog order. */
export const EVENT_TYPES = Object.keys(RAW) as EventType[];

const known = new Set<string>(EVENT_TYPES);

/** True when `s` names an exportable event type. */
export function isEventType(s: string): s is EventType {
  return known.has(s);
}

/** Field docs shared across event types (Avro requires a doc on every field; these are Braze's meanings). */
const FIELD_DOCS: Record<string, string> = {
  id: 'Globally unique ID of this event; de-duplicate on it (delivery is at least once)',
  user_id: 'Braze user ID of the user who performed this event',
  external_user_id: '[PII] External user ID of the user',
  app_group_id: 'API ID of the workspace (app group) this user belongs to',
  app_id: 'API ID of the app on which this event occurred',
  time: 'UNIX timestamp in seconds at which the event happened',
  time_ms: 'UNIX timestamp in milliseconds at which the event happened',
  timezone: 'IANA time zone of the user at the time of the event',
  platform: 'Platform of the device (ios, android, web, ...)',
  os_version: 'OS version of the device',
  device_model: 'Model of the device',
  device_id: 'ID of the device on which the event occurred',
  ad_id: '[PII] Advertising identifier',
  ad_id_type: 'One of ios_idfa, google_ad_id, windows_ad_id or roku_ad_id',
  ad_tracking_enabled: 'Whether advertising tracking is enabled for the device',
  name: 'Name of the custom event',
  properties: 'Custom properties of the event or purchase, as a JSON-encoded string',
  product_id: 'ID of the product purchased',
  price: 'Unit price of the purchase',
  currency: 'Three-letter ISO 4217 currency code',
  email_address: '[PII] Email address of the user',
  phone_number: '[PII] Phone number of the user in E.164 format',
  to_phone_number: '[PII] Phone number of the recipient in E.164 format',
  from_phone_number: 'Phone number the message was sent from',
  user_phone_number: "[PII] The user's phone number",
  campaign_id: 'API ID of the campaign this event belongs to',
  campaign_name: 'Name of the campaign',
  message_variation_id: 'API ID of the message variation this user received',
  message_variation_name: 'Name of the message variation',
  canvas_id: 'API ID of the Canvas this event belongs to',
  canvas_name: 'Name of the Canvas',
  canvas_variation_id: 'API ID of the Canvas variation this event belongs to',
  canvas_variation_name: 'Name of the Canvas variation',
  canvas_step_id: 'API ID of the Canvas step this event belongs to',
  canvas_step_name: 'Name of the Canvas step',
  canvas_step_message_variation_id: 'API ID of the Canvas step message variation',
  send_id: 'Message API ID of the send this event belongs to',
  dispatch_id: 'ID of the dispatch this message belongs to, shared by all recipients of one send',
  message_extras: 'JSON string of the key-value pairs tagged with message_extras in Liquid',
  abort_type: 'Type of abort',
  abort_log: '[PII] Log message describing the abort (at most 128 characters)',
  bounce_reason: '[PII] The SMTP reason code and message received for the bounce',
  url: 'URL that was clicked',
  subscription_status: 'Subscription status after the change',
  subscription_group_id: 'ID of the subscription group',
  state_change_source: 'Source of the state change (REST API, SDK, Dashboard, ...)',
  channel: 'Messaging channel of the subscription (email, push, sms)',
  channel_identifier:
    '[PII] Identifier of the user on the channel (the email address or phone number)',
  http_status_code: 'HTTP status code the webhook endpoint answered',
  is_terminal: 'Whether this was the last attempt for the webhook',
  error: 'Error name',
  provider_error_code: 'Error code from the SMS provider',
  random_bucket_number: "The user's current random bucket number",
  prev_random_bucket_number: "The user's previous random bucket number",
  orphaned_by_id: 'Braze user ID of the profile this one was merged into',
  conversion_behavior_index: 'Index of the conversion behavior (0 = primary)',
  conversion_behavior: 'JSON-encoded string describing the conversion behavior',
  content_card_id: 'ID of the content card',
};

function fieldDoc(name: string): string {
  return FIELD_DOCS[name] ?? name.replace(/_/g, ' ');
}

const specs = new Map<string, EventTypeSpec>();

/** The parsed catalog entry of one event type (memoised). */
export function eventSpec(type: EventType): EventTypeSpec {
  let spec = specs.get(type);
  if (!spec) {
    const raw = RAW[type];
    spec = {
      type,
      doc: raw.doc,
      fields: raw.fields.split(' ').map((f) => {
        const [name, t] = f.split(':') as [string, string];
        const optional = t.startsWith('?');
        return {
          name,
          type: (optional ? t.slice(1) : t) as FieldType,
          optional,
          doc: fieldDoc(name),
        };
      }),
    };
    specs.set(type, spec);
  }
  return spec;
}
