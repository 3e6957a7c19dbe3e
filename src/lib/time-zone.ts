/**
 * Time zone names accepted for the `time_zone` profile field (contract §2.2.1): IANA names, and
 * the friendly names Ruby on Rails uses (ActiveSupport::TimeZone), which Braze also accepts.
 */

// Rails name → IANA zone, written as `Rails name=IANA` one per line. Targets are the zones Rails
// maps to; a few are IANA backward-compatible aliases (Europe/Kiev, Asia/Rangoon), which ICU still
// resolves.
const RAILS_TABLE = `
International Date Line West=Etc/GMT+12
Midway Island=Pacific/Midway
American Samoa=Pacific/Pago_Pago
Hawaii=Pacific/Honolulu
Alaska=America/Juneau
Pacific Time (US & Canada)=America/Los_Angeles
Tijuana=America/Tijuana
Mountain Time (US & Canada)=America/Denver
Arizona=America/Phoenix
Chihuahua=America/Chihuahua
Mazatlan=America/Mazatlan
Central Time (US & Canada)=America/Chicago
Saskatchewan=America/Regina
Guadalajara=America/Mexico_City
Mexico City=America/Mexico_City
Monterrey=America/Monterrey
Central America=America/Guatemala
Eastern Time (US & Canada)=America/New_York
Indiana (East)=America/Indiana/Indianapolis
Bogota=America/Bogota
Lima=America/Lima
Quito=America/Lima
Atlantic Time (Canada)=America/Halifax
Caracas=America/Caracas
La Paz=America/La_Paz
Santiago=America/Santiago
Newfoundland=America/St_Johns
Brasilia=America/Sao_Paulo
Buenos Aires=America/Argentina/Buenos_Aires
Montevideo=America/Montevideo
Georgetown=America/Guyana
Puerto Rico=America/Puerto_Rico
Greenland=America/Nuuk
Mid-Atlantic=Atlantic/South_Georgia
Azores=Atlantic/Azores
Cape Verde Is.=Atlantic/Cape_Verde
Dublin=Europe/Dublin
Edinburgh=Europe/London
Lisbon=Europe/Lisbon
London=Europe/London
Casablanca=Africa/Casablanca
Monrovia=Africa/Monrovia
UTC=Etc/UTC
Belgrade=Europe/Belgrade
Bratislava=Europe/Bratislava
Budapest=Europe/Budapest
Ljubljana=Europe/Ljubljana
Prague=Europe/Prague
Sarajevo=Europe/Sarajevo
Skopje=Europe/Skopje
Warsaw=Europe/Warsaw
Zagreb=Europe/Zagreb
Brussels=Europe/Brussels
Copenhagen=Europe/Copenhagen
Madrid=Europe/Madrid
Paris=Europe/Paris
Amsterdam=Europe/Amsterdam
Berlin=Europe/Berlin
Bern=Europe/Zurich
Zurich=Europe/Zurich
Rome=Europe/Rome
Stockholm=Europe/Stockholm
Vienna=Europe/Vienna
West Central Africa=Africa/Algiers
Bucharest=Europe/Bucharest
Cairo=Africa/Cairo
Helsinki=Europe/Helsinki
Kyiv=Europe/Kiev
Kiev=Europe/Kiev
Riga=Europe/Riga
Sofia=Europe/Sofia
Tallinn=Europe/Tallinn
Vilnius=Europe/Vilnius
Athens=Europe/Athens
Istanbul=Europe/Istanbul
Minsk=Europe/Minsk
Jerusalem=Asia/Jerusalem
Harare=Africa/Harare
Pretoria=Africa/Johannesburg
Kaliningrad=Europe/Kaliningrad
Moscow=Europe/Moscow
St. Petersburg=Europe/Moscow
Volgograd=Europe/Volgograd
Samara=Europe/Samara
Kuwait=Asia/Kuwait
Riyadh=Asia/Riyadh
Nairobi=Africa/Nairobi
Baghdad=Asia/Baghdad
Tehran=Asia/Tehran
Abu Dhabi=Asia/Muscat
Muscat=Asia/Muscat
Baku=Asia/Baku
Tbilisi=Asia/Tbilisi
Yerevan=Asia/Yerevan
Kabul=Asia/Kabul
Ekaterinburg=Asia/Yekaterinburg
Islamabad=Asia/Karachi
Karachi=Asia/Karachi
Tashkent=Asia/Tashkent
Chennai=Asia/Kolkata
Kolkata=Asia/Kolkata
Mumbai=Asia/Kolkata
New Delhi=Asia/Kolkata
Kathmandu=Asia/Kathmandu
Dhaka=Asia/Dhaka
Astana=Asia/Dhaka
Sri Jayawardenepura=Asia/Colombo
Almaty=Asia/Almaty
Novosibirsk=Asia/Novosibirsk
Rangoon=Asia/Rangoon
Bangkok=Asia/Bangkok
Hanoi=Asia/Bangkok
Jakarta=Asia/Jakarta
Krasnoyarsk=Asia/Krasnoyarsk
Beijing=Asia/Shanghai
Chongqing=Asia/Chongqing
Hong Kong=Asia/Hong_Kong
Urumqi=Asia/Urumqi
Kuala Lumpur=Asia/Kuala_Lumpur
Singapore=Asia/Singapore
Taipei=Asia/Taipei
Perth=Australia/Perth
Irkutsk=Asia/Irkutsk
Ulaanbaatar=Asia/Ulaanbaatar
Seoul=Asia/Seoul
Osaka=Asia/Tokyo
Sapporo=Asia/Tokyo
Tokyo=Asia/Tokyo
Yakutsk=Asia/Yakutsk
Darwin=Australia/Darwin
Adelaide=Australia/Adelaide
Canberra=Australia/Melbourne
Melbourne=Australia/Melbourne
Sydney=Australia/Sydney
Brisbane=Australia/Brisbane
Hobart=Australia/Hobart
Vladivostok=Asia/Vladivostok
Guam=Pacific/Guam
Port Moresby=Pacific/Port_Moresby
Magadan=Asia/Magadan
Srednekolymsk=Asia/Srednekolymsk
Solomon Is.=Pacific/Guadalcanal
New Caledonia=Pacific/Noumea
Fiji=Pacific/Fiji
Kamchatka=Asia/Kamchatka
Marshall Is.=Pacific/Majuro
Auckland=Pacific/Auckland
Wellington=Pacific/Auckland
Nuku'alofa=Pacific/Tongatapu
Tokelau Is.=Pacific/Fakaofo
Chatham Is.=Pacific/Chatham
Samoa=Pacific/Apia
`;

const RAILS = new Map<string, string>();
for (const line of RAILS_TABLE.split('\n')) {
  const at = line.indexOf('=');
  if (at > 0) RAILS.set(line.slice(0, at), line.slice(at + 1));
}

/** Every Rails (ActiveSupport) zone name this module understands, in Rails' order. */
export const RAILS_TIME_ZONE_NAMES: readonly string[] = [...RAILS.keys()];

// Intl lookups build a formatter each time; a process sees few distinct zones, so remember them.
const ianaCache = new Map<string, boolean>();

/** True for an IANA zone name or a Rails-style name (`Eastern Time (US & Canada)`). */
export function isValidTimeZone(s: string): boolean {
  return toIanaTimeZone(s) !== null;
}

/** The IANA name for a Rails-style zone name; IANA names come back unchanged; otherwise null. */
export function toIanaTimeZone(s: string): string | null {
  if (typeof s !== 'string' || s.length === 0 || s.length > 64) return null;
  const rails = RAILS.get(s);
  if (rails !== undefined) return rails;
  return isIanaName(s) ? s : null;
}

function isIanaName(s: string): boolean {
  // Intl also takes UTC offsets such as `+01:00`; Braze wants names, so require a letter first.
  if (!/^[A-Za-z][A-Za-z0-9_/+-]*$/.test(s)) return false;
  const cached = ianaCache.get(s);
  if (cached !== undefined) return cached;
  let valid = true;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: s });
  } catch {
    valid = false;
  }
  if (ianaCache.size < 1000) ianaCache.set(s, valid);
  return valid;
}
