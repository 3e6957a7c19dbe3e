import type { MessageContext } from '../../../src/personalization/scope';
import { API_ONLY, type ConformanceCase, JANET, janetWith } from './fixtures';

/**
 * Personalization tags (contract §6.2, Braze's supported_personalization_tags.md): standard and
 * custom attributes, nested values and arrays, message-side namespaces, and devices.
 */

const ACTION_MESSAGE: MessageContext = {
  campaign: {
    api_id: 'cmp-123',
    name: 'Spring Sale',
    message_name: 'Variant A',
    message_api_id: 'msg-9',
  },
  event_properties: {
    rewards_redeemed: 145,
    toStation: 'London',
    geofence_name: 'Store 12',
    geofence_set_name: 'Downtown',
    cart: { total: 59.5, items: [{ sku: 'A1', qty: 2 }] },
  },
  api_trigger_properties: { coupon: 'SAVE10', 'display name': 'Jan' },
};

const CANVAS_MESSAGE: MessageContext = {
  campaign: { name: 'Step 2: Reminder', api_id: 'step-2' },
  canvas: {
    name: 'Onboarding',
    api_id: 'cnv-1',
    variant_name: 'Control',
    variant_api_id: 'cnv-var-1',
  },
  canvas_entry_properties: { product_name: 'Trail Shoe', price: 89 },
};

const standard: ConformanceCase[] = [
  { name: 'first_name', template: 'Hello {{${first_name}}}!', expected: 'Hello Janet!' },
  {
    name: 'first_name with spaces inside the braces',
    template: '{{ ${first_name} }}',
    expected: 'Janet',
  },
  { name: 'last_name', template: '{{${last_name}}}', expected: 'Doe' },
  { name: 'email_address', template: '{{${email_address}}}', expected: 'janet@example.com' },
  { name: 'user_id is the external id', template: '{{${user_id}}}', expected: 'janet-1' },
  { name: 'braze_id', template: '{{${braze_id}}}', expected: JANET.brazeId },
  { name: 'city', template: '{{${city}}}', expected: 'Chicago' },
  { name: 'country', template: '{{${country}}}', expected: 'US' },
  { name: 'date_of_birth', template: '{{${date_of_birth}}}', expected: '1990-03-12' },
  { name: 'gender', template: '{{${gender}}}', expected: 'F' },
  { name: 'language', template: '{{${language}}}', expected: 'en' },
  { name: 'phone_number', template: '{{${phone_number}}}', expected: '+15555550100' },
  { name: 'time_zone', template: '{{${time_zone}}}', expected: 'America/Chicago' },
  { name: 'random_bucket_number', template: '{{${random_bucket_number}}}', expected: '4242' },
  {
    name: 'last_used_app_date prints as a Ruby time',
    template: '{{${last_used_app_date}}}',
    expected: '2024-03-01 09:30:00 UTC',
  },
  {
    name: 'last_used_app_date takes the date filter',
    template: "{{${last_used_app_date} | date: '%B %-d'}}",
    expected: 'March 1',
  },
  {
    name: 'device-derived standard attributes are empty without a device',
    template:
      '[{{${most_recent_app_version}}}|{{${most_recent_locale}}}|{{${most_recent_location}}}]',
    expected: '[||]',
  },
  {
    name: 'a missing standard attribute renders empty',
    template: 'Hi {{${first_name}}}!',
    recipient: API_ONLY,
    expected: 'Hi !',
  },
  {
    name: 'default replaces a missing first name (Braze docs)',
    template: "Hi {{ ${first_name} | default: 'Valued User' }}, thanks for using the App!",
    recipient: API_ONLY,
    expected: 'Hi Valued User, thanks for using the App!',
  },
  {
    name: 'default keeps a present first name (Braze docs)',
    template: "Hi {{ ${first_name} | default: 'Valued User' }}, thanks for using the App!",
    expected: 'Hi Janet, thanks for using the App!',
  },
  {
    name: 'last_used_app_date is empty for a user who never opened the app',
    template: '[{{${last_used_app_date}}}]',
    recipient: API_ONLY,
    expected: '[]',
  },
  {
    name: 'attributes render empty when there is no recipient',
    template: '[{{${first_name}}}{{custom_attribute.${balance}}}]',
    recipient: null,
    expected: '[]',
  },
  {
    name: 'subscribed_state email_global',
    template: '{{subscribed_state.${email_global}}}',
    expected: 'opted_in',
  },
  {
    name: 'subscribed_state push_global',
    template: '{{subscribed_state.${push_global}}}',
    expected: 'subscribed',
  },
  {
    name: 'subscribed_state of a subscription group id',
    template: '{{subscribed_state.${7c1c7f38-news}}}/{{subscribed_state.${9a2b4c6d-sms}}}',
    expected: 'subscribed/unsubscribed',
  },
  {
    name: 'subscribed_state of an unknown group is empty',
    template: '[{{subscribed_state.${no-such-group}}}]',
    expected: '[]',
  },
  {
    name: 'email list links come from the message',
    template: '{{${set_user_to_unsubscribed_url}}} {{${set_user_to_subscribed_url}}}',
    message: { links: { unsubscribe: 'https://u.example/x', subscribe: 'https://s.example/y' } },
    expected: 'https://u.example/x https://s.example/y',
  },
  {
    name: 'a standard attribute compared with redundant braces in if',
    template: "{% if {{${first_name}}} == 'Janet' %}yes{% else %}no{% endif %}",
    expected: 'yes',
  },
  {
    name: 'language branches (Braze docs)',
    template:
      "{% if ${language} == 'en' %}Message in English{% elsif ${language} == 'fr' %}Message in French{% else %}Message in default language{% endif %}",
    recipient: janetWith({ standard: { language: 'fr' } }),
    expected: 'Message in French',
  },
  {
    name: 'blank and null checks fall through for a user without a first name (Braze docs)',
    template:
      "{% if ${first_name} != blank and ${first_name} != null %}Hello {{${first_name} | default: 'there'}}, thanks for downloading!{% else %}Thanks for downloading!{% endif %}",
    recipient: API_ONLY,
    expected: 'Thanks for downloading!',
  },
];

const custom: ConformanceCase[] = [
  { name: 'custom attribute', template: '{{custom_attribute.${balance}}}', expected: '25' },
  {
    name: 'custom attribute name with a space (Braze docs: zip code)',
    template: '{{custom_attribute.${zip code}}}',
    expected: '60601',
  },
  { name: 'boolean custom attribute', template: '{{custom_attribute.${vip}}}', expected: 'true' },
  {
    name: 'nested path inside the reference',
    template: '{{custom_attribute.${address.city}}}',
    expected: 'Chicago',
  },
  {
    name: 'nested path after the reference',
    template: '{{custom_attribute.${address}.city}}',
    expected: 'Chicago',
  },
  {
    name: 'two levels of nesting both ways',
    template: '{{custom_attribute.${address.geo.lat}}} {{custom_attribute.${address}.geo.lat}}',
    expected: '41.88 41.88',
  },
  {
    name: 'a missing nested path renders empty',
    template: '[{{custom_attribute.${address.zip.plus4}}}]',
    expected: '[]',
  },
  {
    name: 'a missing custom attribute renders empty',
    template: '[{{custom_attribute.${never_set}}}]',
    expected: '[]',
  },
  {
    name: 'array first is the oldest value',
    template: '{{custom_attribute.${Brands Viewed} | first}}',
    expected: 'Nike',
  },
  {
    name: 'array last is the most recent value',
    template: '{{custom_attribute.${Brands Viewed} | last}}',
    expected: 'Puma',
  },
  {
    name: 'array size, first and last as properties',
    template:
      '{{custom_attribute.${Brands Viewed}.size}} {{custom_attribute.${Brands Viewed}.first}} {{custom_attribute.${Brands Viewed}.last}}',
    expected: '4 Nike Puma',
  },
  {
    name: 'array index access',
    template: '{{custom_attribute.${Brands Viewed}[1]}} {{custom_attribute.${Brands Viewed}[-1]}}',
    expected: 'Adidas Puma',
  },
  {
    name: 'array join',
    template: "{{custom_attribute.${Brands Viewed} | join: ', '}}",
    expected: 'Nike, Adidas, Converse, Puma',
  },
  {
    name: 'an array prints its elements run together, as Ruby Liquid does',
    template: '{{custom_attribute.${Brands Viewed}}}',
    expected: 'NikeAdidasConversePuma',
  },
  {
    name: 'contains on an array attribute',
    template: "{% if custom_attribute.${Brands Viewed} contains 'Converse' %}fan{% endif %}",
    expected: 'fan',
  },
  {
    name: 'for over an array attribute with limit (Braze docs: sneaker brands)',
    template:
      "{% for items in {{custom_attribute.${Brands Viewed}}} limit:5 %}{% if {{items}} contains 'Converse' %}{% assign converse_viewer = true %}{% endif %}{% endfor %}{% if converse_viewer == true %}Sale on Converse!{% else %}{% abort_message() %}{% endif %}",
    expected: 'Sale on Converse!',
  },
  {
    name: 'time-typed attribute prints as a Ruby UTC time',
    template: '{{custom_attribute.${signup}}}',
    expected: '2021-06-03 17:13:41 UTC',
  },
  {
    name: 'time-typed attribute with date (Braze docs: %b %d)',
    template: "{{custom_attribute.${signup} | date: '%b %d'}}",
    expected: 'Jun 03',
  },
  {
    name: 'time-typed attribute as Unix seconds (Braze docs: %s)',
    template: "{{custom_attribute.${signup} | date: '%s'}}",
    expected: '1622740421',
  },
  {
    name: 'comparison with redundant braces (Braze docs: rewards balance)',
    template:
      '{% if {{custom_attribute.${balance}}} > 0 %}Your rewards balance is {{custom_attribute.${balance}}}{% else %}{% abort_message() %}{% endif %}',
    expected: 'Your rewards balance is 25',
  },
  {
    name: 'assign with and without braces then add (Braze docs)',
    template:
      '{% assign value_one = {{custom_attribute.${balance}}} %}{% assign value_two = custom_attribute.${balance} %}{% assign result = value_one | plus: {{value_two}} %}{{result}}',
    expected: '50',
  },
  {
    name: 'braces inside an output filter argument (Braze docs: balance)',
    template:
      '{% assign balance = {{custom_attribute.${current_rewards_balance}}} %}You have ${{custom_attribute.${giftcard_balance} | plus: {{balance}}}} to spend!',
    recipient: janetWith({ custom: { current_rewards_balance: 20, giftcard_balance: 15 } }),
    expected: 'You have $35 to spend!',
  },
  {
    name: 'assign with a filter inside braces (Braze docs: points balance)',
    template:
      "{% assign new_points_balance = {{custom_attribute.${current_rewards_balance} | plus: 50}} %}{% if new_points_balance >= 100 %}Make a purchase to bring your rewards points to {{new_points_balance}} and cash in today!{% else %}{% abort_message('not enough points') %}{% endif %}",
    recipient: janetWith({ custom: { current_rewards_balance: 60 } }),
    expected: 'Make a purchase to bring your rewards points to 110 and cash in today!',
  },
  {
    name: 'a name with a space in a condition (Braze docs: Number_Game Attended)',
    template:
      '{% if custom_attribute.${Number_Game_Attended} == 1 %}Loved the game?{% elsif custom_attribute.${Number_Game Attended} > 1 %}Love the games?{% else %}{% abort_message() %}{% endif %}',
    recipient: janetWith({ custom: { 'Number_Game Attended': 3 } }),
    expected: 'Love the games?',
  },
];

const message: ConformanceCase[] = [
  {
    name: 'event property (Braze docs: money)',
    template: '${{event_properties.${rewards_redeemed} | money }}',
    message: ACTION_MESSAGE,
    expected: '$145.00',
  },
  {
    name: 'geofence event properties',
    template: '{{event_properties.${geofence_name}}} in {{event_properties.${geofence_set_name}}}',
    message: ACTION_MESSAGE,
    expected: 'Store 12 in Downtown',
  },
  {
    name: 'nested event property both ways',
    template:
      '{{event_properties.${cart.total}}} {{event_properties.${cart}.items[0].sku}} x{{event_properties.${cart}.items.first.qty}}',
    message: ACTION_MESSAGE,
    expected: '59.5 A1 x2',
  },
  {
    name: 'a missing event property renders empty',
    template: '[{{event_properties.${nope}}}]',
    message: ACTION_MESSAGE,
    expected: '[]',
  },
  {
    name: 'api_trigger_properties, including a key with a space',
    template: '{{api_trigger_properties.${coupon}}} for {{api_trigger_properties.${display name}}}',
    message: ACTION_MESSAGE,
    expected: 'SAVE10 for Jan',
  },
  {
    name: 'canvas_entry_properties',
    template:
      '{{canvas_entry_properties.${product_name}}} at ${{canvas_entry_properties.${price}}}',
    message: CANVAS_MESSAGE,
    expected: 'Trail Shoe at $89',
  },
  {
    name: 'context reads the Canvas entry properties when no context is given',
    template: '{{context.${product_name}}}',
    message: CANVAS_MESSAGE,
    expected: 'Trail Shoe',
  },
  {
    name: 'context reads context variables',
    template: '{{context.${flight}.gate}}',
    message: { ...CANVAS_MESSAGE, context: { flight: { gate: 'B12' } } },
    expected: 'B12',
  },
  {
    name: 'campaign attributes',
    template:
      '{{campaign.${name}}}|{{campaign.${api_id}}}|{{campaign.${message_name}}}|{{campaign.${message_api_id}}}',
    message: ACTION_MESSAGE,
    expected: 'Spring Sale|cmp-123|Variant A|msg-9',
  },
  {
    name: 'dispatch_id before the campaign has sent is the placeholder',
    template: '{{campaign.${dispatch_id}}}',
    message: ACTION_MESSAGE,
    expected: 'dispatch_id_for_unsent_campaign',
  },
  {
    name: 'dispatch_id of a sent campaign',
    template: '{{campaign.${dispatch_id}}}',
    message: { campaign: { ...ACTION_MESSAGE.campaign, dispatch_id: 'disp-42' } },
    expected: 'disp-42',
  },
  {
    name: 'in a Canvas, campaign name is the step name',
    template: '{{campaign.${name}}} of {{canvas.${name}}}',
    message: CANVAS_MESSAGE,
    expected: 'Step 2: Reminder of Onboarding',
  },
  {
    name: 'canvas attributes',
    template: '{{canvas.${api_id}}}|{{canvas.${variant_name}}}|{{canvas.${variant_api_id}}}',
    message: CANVAS_MESSAGE,
    expected: 'cnv-1|Control|cnv-var-1',
  },
  {
    name: 'card attributes',
    template: '{{card.${name}}} ({{card.${api_id}}})',
    message: { card: { name: 'Welcome card', api_id: 'card-1' } },
    expected: 'Welcome card (card-1)',
  },
  {
    name: 'app allow-list (Braze docs: abort unless the app is listed)',
    template:
      "{% assign allowed_api_keys = 'sdk_api_key_1,sdk_api_key_2' | split: ',' %}{% if allowed_api_keys contains {{app.${api_id}}} %}User is in list of apps{% else %}{% abort_message(\"User not in list of apps\") %}{% endif %}",
    message: { app: { api_id: 'sdk_api_key_3', name: 'TV app' } },
    expected: { abort: 'User not in list of apps' },
  },
  {
    name: 'targeted_device attributes',
    template: '{{targeted_device.${platform}}} {{targeted_device.${foreground_push_enabled}}}',
    message: { targeted_device: { platform: 'ios', foreground_push_enabled: true } },
    expected: 'ios true',
  },
  {
    name: 'most_recently_used_device is empty for an API-only user',
    template: '[{{most_recently_used_device.${platform}}}{{most_recently_used_device.${model}}}]',
    recipient: API_ONLY,
    expected: '[]',
  },
  {
    name: 'most_recently_used_device values are nil for an API-only user',
    template:
      "{% if most_recently_used_device.${idfa} == nil %}none{% endif %} {{most_recently_used_device.${platform} | default: 'web'}}",
    recipient: API_ONLY,
    expected: 'none web',
  },
  {
    name: 'sms inbound message body',
    template: 'You said: {{sms.${inbound_message_body}}}',
    message: { sms: { inbound_message_body: 'STOP' } },
    expected: 'You said: STOP',
  },
  {
    name: 'message namespaces are empty when the message has none',
    template:
      '[{{campaign.${name}}}{{canvas.${name}}}{{event_properties.${x}}}{{targeted_device.${id}}}]',
    expected: '[]',
  },
];

export const attributeCases: ConformanceCase[] = [...standard, ...custom, ...message];
