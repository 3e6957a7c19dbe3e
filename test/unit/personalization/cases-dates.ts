import { API_ONLY, type ConformanceCase, janetWith } from './fixtures';

/**
 * `date` (Ruby strftime plus `%s`) and `time_zone` (contract §6.2–6.3), with Braze's countdown,
 * birthday and time-zone recipes. The clock is NOW: Sunday 2024-03-10 15:04:05.123 UTC.
 */

const strftime: ConformanceCase[] = [
  {
    name: "'now' is the send time in UTC",
    template: "{{ 'now' | date: '%Y-%m-%d' }}",
    expected: '2024-03-10',
  },
  {
    name: "'today' is the send time too",
    template: "{{ 'today' | date: '%F %T' }}",
    expected: '2024-03-10 15:04:05',
  },
  { name: '%s gives Unix seconds', template: "{{ 'now' | date: '%s' }}", expected: '1710083045' },
  {
    name: 'day and month names',
    template: "{{ 'now' | date: '%a %A %b %B %h' }}",
    expected: 'Sun Sunday Mar March Mar',
  },
  {
    name: 'day of month, padded three ways, and day of year',
    template: "{{ 'now' | date: '%d|%e|%-d|%j' }}",
    expected: '10|10|10|070',
  },
  {
    name: 'month padding flags',
    template: "{{ 'now' | date: '%m|%-m|%_m' }}",
    expected: '03|3| 3',
  },
  { name: 'year and century', template: "{{ 'now' | date: '%y %C %Y' }}", expected: '24 20 2024' },
  {
    name: '12-hour clock and meridian',
    template: "{{ 'now' | date: '%I|%l|%-I %p|%P' }}",
    expected: '03| 3|3 PM|pm',
  },
  { name: '24-hour clock', template: "{{ 'now' | date: '%H|%k|%M|%S' }}", expected: '15|15|04|05' },
  {
    name: 'fractional seconds with digits',
    template: "{{ 'now' | date: '%L|%3N|%6N|%N' }}",
    expected: '123|123|123000|123000000',
  },
  { name: 'weekday numbers', template: "{{ 'now' | date: '%u %w' }}", expected: '7 0' },
  {
    name: 'week numbers, Sunday, Monday and ISO based',
    template: "{{ 'now' | date: '%U %W %V %G' }}",
    expected: '10 10 10 2024',
  },
  {
    name: 'ISO week-based year at the turn of the year',
    template: "{{ '2024-12-31' | date: '%j %G-W%V %g' }} {{ '2021-01-01' | date: '%G-W%V %U %W' }}",
    expected: '366 2025-W01 25 2020-W53 00 00',
  },
  {
    name: 'zone offset and name in UTC',
    template: "{{ 'now' | date: '%z|%:z|%::z|%Z' }}",
    expected: '+0000|+00:00|+00:00:00|UTC',
  },
  {
    name: 'composite directives',
    template: "{{ 'now' | date: '%D|%F|%T|%R|%r' }}",
    expected: '03/10/24|2024-03-10|15:04:05|15:04|03:04:05 PM',
  },
  {
    name: 'locale-style composites',
    template: "{{ 'now' | date: '%c|%x|%X|%v' }}",
    expected: 'Sun Mar 10 15:04:05 2024|03/10/24|15:04:05|10-MAR-2024',
  },
  {
    name: '%+ is date(1) format',
    template: "{{ 'now' | date: '%+' }}",
    expected: 'Sun Mar 10 15:04:05 UTC 2024',
  },
  {
    name: 'upper-case and swap-case flags',
    template: "{{ 'now' | date: '%^a %^B %#p %#B' }}",
    expected: 'SUN MARCH pm MARCH',
  },
  {
    name: 'widths pad names with spaces and numbers with zeros',
    template: "{{ 'now' | date: '[%10A][%5d][%_5d][%-5d]' }}",
    expected: '[    Sunday][00010][   10][10]',
  },
  {
    name: 'literal percent, newline and tab',
    template: "{{ 'now' | date: '100%% %Y%n%t.' }}",
    expected: '100% 2024\n\t.',
  },
  {
    name: 'an unknown directive is copied through',
    template: "{{ 'now' | date: '%q %Y' }}",
    expected: '%q 2024',
  },
];

const parsing: ConformanceCase[] = [
  {
    name: 'a date-only string',
    template: "{{ '2024-12-25' | date: '%A, %B %-d' }}",
    expected: 'Wednesday, December 25',
  },
  {
    name: 'a Ruby time string (Braze docs: date_attribute)',
    template: "{{ '2021-06-03 17:13:41 UTC' | date: '%s' }}",
    expected: '1622740421',
  },
  {
    name: 'an ISO time with an offset keeps its offset, as Time.parse does',
    template: "{{ '2024-03-10T10:00:00-05:00' | date: '%H:%M %z' }}",
    expected: '10:00 -0500',
  },
  {
    name: 'an ISO time with an offset gives the right instant (Braze docs: shipping)',
    template: '{{ "2019-12-20T13:00-05:00" | date: "%s" }}',
    expected: '1576864800',
  },
  {
    name: 'hour 24 is midnight of the next day (Braze docs: shipping)',
    template: '{{ "2019-12-22T24:00-05:00" | date: "%F %H:%M" }}',
    expected: '2019-12-23 00:00',
  },
  {
    name: 'a written-out date is read as UTC whatever the host zone',
    template: "{{ 'March 10, 2024' | date: '%F %T %z' }}",
    expected: '2024-03-10 00:00:00 +0000',
  },
  {
    name: 'an RFC 2822 date with GMT',
    template: "{{ 'Sun, 10 Mar 2024 10:00:00 GMT' | date: '%F %T' }}",
    expected: '2024-03-10 10:00:00',
  },
  {
    name: 'Unix seconds as a number or a digit string',
    template: "{{ 1622740421 | date: '%F %T' }} {{ '1622740421' | date: '%F' }}",
    expected: '2021-06-03 17:13:41 2021-06-03',
  },
  {
    name: 'something that is not a date is returned unchanged',
    template: "{{ 'not a date' | date: '%Y' }}",
    expected: 'not a date',
  },
  {
    name: 'an empty format returns the input',
    template: "{{ 'now' | date: '' }}",
    expected: 'now',
  },
  { name: 'date of nil is empty', template: "[{{ nil | date: '%Y' }}]", expected: '[]' },
  {
    name: 'the date of birth takes date',
    template: "{{ ${date_of_birth} | date: '%B %-d' }}",
    expected: 'March 12',
  },
];

const recipes: ConformanceCase[] = [
  {
    name: 'add days to today (Braze docs)',
    template: '{{ "now" | date: \'%s\' | plus: 259200 | date: "%F" }}',
    expected: '2024-03-13',
  },
  {
    name: 'countdown in days (Braze docs)',
    template:
      '{% assign event_date = \'2024-03-20\' | date: "%s" %}{% assign today = \'now\' | date: "%s" %}{% assign difference = event_date | minus: today %}{% assign difference_days = difference | divided_by: 86400 %}you have {{ difference_days }} days left!',
    expected: 'you have 9 days left!',
  },
  {
    name: 'the date thirty days from now (Braze docs)',
    template:
      '{% assign today\n = \'now\' | date: "%s" %}{% assign thirty_days = {{today}} | plus: 2592000 | date: "%B %d" %}{{ thirty_days }}',
    expected: 'April 09',
  },
  {
    name: 'birthday week (Braze docs)',
    template:
      "{% assign this_week = 'now' | date: '%W' %}{% assign birthday_week = ${date_of_birth}  | date: '%W' %}{% assign last_week = {{this_week}} | minus: 1 %}{% assign next_week = {{this_week}} | plus: 1 %}{% assign birthday_week_conversion = {{birthday_week}} | plus: 0 %}{% if {{last_week}} == {{birthday_week_conversion}} %}Happy birthday for last week!{% elsif {{birthday_week}} == {{this_week}} %}Happy birthday for this week!{% elsif {{next_week}} == {{birthday_week_conversion}} %}Happy birthday for next week!{% else %}No birthday for you!{% endif %}",
    expected: 'Happy birthday for next week!',
  },
  {
    name: 'send-window check passes inside the window (Braze docs)',
    template:
      "{% assign time = 'now' | time_zone: ${time_zone} %}{% assign hour = time | date: '%H' | plus: 0 %}{% if hour > 20 or hour < 8 %}{% abort_message(\"Outside allowed time window\") %}{% endif %}Here's a message that will send between 8am and 8pm!",
    expected: "Here's a message that will send between 8am and 8pm!",
  },
  {
    name: 'send-window check aborts outside the window (Braze docs)',
    template:
      "{% assign time = 'now' | time_zone: ${time_zone} %}{% assign hour = time | date: '%H' | plus: 0 %}{% if hour > 20 or hour < 8 %}{% abort_message(\"Outside allowed time window\") %}{% endif %}Here's a message that will send between 8am and 8pm!",
    now: Date.UTC(2024, 2, 11, 3, 0),
    expected: { abort: 'Outside allowed time window' },
  },
  {
    name: 'weekday or weekend in the user zone (Braze docs)',
    template:
      "{% assign today = 'now' | time_zone: ${time_zone} | date: \"%A\" %}{% if {{today}} == 'Saturday' or {{today}} == 'Sunday' %}It's {{today}}, open the app!{% else %}It's {{today}}, visit the store!{% endif %}",
    expected: "It's Sunday, open the app!",
  },
  {
    name: 'timezone is an alias of time_zone (Braze docs: timestamp)',
    template:
      '{{${user_id} | default: \'You\'}} received a campaign, rendered at ({{ "now" | timezone: ${time_zone} | date: "%Y-%m-%d %H:%M:%S" }})',
    expected: 'janet-1 received a campaign, rendered at (2024-03-10 10:04:05)',
  },
];

const EXPIRES = janetWith({
  custom: { application_expires_date: { time: '2024-07-01T03:00:00.000Z' } },
});

const zones: ConformanceCase[] = [
  {
    name: 'time_zone with an IANA name',
    template: "{{ 'now' | time_zone: 'America/Chicago' | date: '%Y-%m-%d %H:%M %Z %z' }}",
    expected: '2024-03-10 10:04 CDT -0500',
  },
  {
    name: 'a converted time prints with its offset',
    template: "{{ 'now' | time_zone: 'America/Chicago' }}",
    expected: '2024-03-10 10:04:05 -0500',
  },
  {
    name: "time_zone with the user's zone",
    template: "{{ 'now' | time_zone: ${time_zone} | date: '%H:%M' }}",
    expected: '10:04',
  },
  {
    name: 'time_zone with a Rails zone name',
    template: "{{ 'now' | time_zone: 'Eastern Time (US & Canada)' | date: '%H:%M %z' }}",
    expected: '11:04 -0400',
  },
  {
    name: "time_zone with a Rails zone name as the user's zone",
    template: "{{ 'now' | time_zone: ${time_zone} | date: '%F %H:%M %z' }}",
    recipient: janetWith({ standard: { time_zone: 'Tokyo' } }),
    expected: '2024-03-11 00:04 +0900',
  },
  {
    name: 'time_zone with offsets',
    template:
      "{{ 'now' | time_zone: '+05:30' | date: '%H:%M %z' }}|{{ 'now' | time_zone: '-0800' | date: '%H:%M %z' }}|{{ 'now' | time_zone: -5 | date: '%H:%M %z' }}",
    expected: '20:34 +0530|07:04 -0800|10:04 -0500',
  },
  {
    name: 'time_zone on a time attribute with a bare offset (Braze docs: -0005)',
    template:
      "{{custom_attribute.${application_expires_date} | time_zone: -0005 | date: '%B, %d %Y' }}",
    recipient: EXPIRES,
    expected: 'June, 30 2024',
  },
  {
    name: 'time_zone on a time attribute with a zone name (Braze docs)',
    template:
      "{{custom_attribute.${application_expires_date} | time_zone: 'America/Chicago' | date: '%B %d %Y %z' }}",
    recipient: EXPIRES,
    expected: 'June 30 2024 -0500',
  },
  {
    name: 'time_zone keeps the instant',
    template: "{{ 'now' | time_zone: 'Asia/Tokyo' | date: '%s' }}",
    expected: '1710083045',
  },
  {
    name: 'time_zone with a half-hour zone',
    template: "{{ custom_attribute.${signup} | time_zone: 'Asia/Kolkata' | date: '%T %z' }}",
    expected: '22:43:41 +0530',
  },
  {
    name: 'standard time abbreviation in winter',
    template: "{{ 'now' | time_zone: 'America/Chicago' | date: '%H:%M %Z' }}",
    now: Date.UTC(2024, 0, 15, 12),
    expected: '06:00 CST',
  },
  {
    name: 'a user without a time zone keeps UTC',
    template: "{{ 'now' | time_zone: ${time_zone} | date: '%H:%M %z' }}",
    recipient: API_ONLY,
    expected: '15:04 +0000',
  },
  {
    name: 'an unknown zone fails',
    template: "{{ 'now' | time_zone: 'Mars/Olympus_Mons' }}",
    expected: { error: /unknown time zone/ },
  },
  {
    name: 'DST: the last second of EST before spring forward',
    template: "{{ 'now' | time_zone: 'America/New_York' | date: '%T %Z %z' }}",
    now: Date.UTC(2024, 2, 10, 6, 59, 59),
    expected: '01:59:59 EST -0500',
  },
  {
    name: 'DST: spring forward skips 02:00',
    template: "{{ 'now' | time_zone: 'America/New_York' | date: '%T %Z %z' }}",
    now: Date.UTC(2024, 2, 10, 7, 0, 0),
    expected: '03:00:00 EDT -0400',
  },
  {
    name: 'DST: the last second of EDT before falling back',
    template: "{{ 'now' | time_zone: 'America/New_York' | date: '%T %Z %z' }}",
    now: Date.UTC(2024, 10, 3, 5, 59, 59),
    expected: '01:59:59 EDT -0400',
  },
  {
    name: 'DST: falling back repeats 01:00',
    template: "{{ 'now' | time_zone: 'America/New_York' | date: '%T %Z %z' }}",
    now: Date.UTC(2024, 10, 3, 6, 0, 0),
    expected: '01:00:00 EST -0500',
  },
  {
    name: 'DST: London springs forward from GMT to BST',
    template:
      "{{ '2024-03-31T00:59:59Z' | time_zone: 'Europe/London' | date: '%T %z' }}|{{ '2024-03-31T01:00:00Z' | time_zone: 'Europe/London' | date: '%T %z' }}",
    expected: '00:59:59 +0000|02:00:00 +0100',
  },
];

export const dateCases: ConformanceCase[] = [...strftime, ...parsing, ...recipes, ...zones];
