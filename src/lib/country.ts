/**
 * ISO-3166-1 alpha-2 codes and a best-effort mapping of English country names onto them, as Braze
 * does for the `country` profile field (contract §2.2.1: "Australia" → "AU", unmappable ⇒ null).
 */

// Short English names of the 249 ISO-3166-1 entries, plus XK (Kosovo), a user-assigned code that
// CLDR, phone SDKs and most geo-IP databases emit.
const COUNTRY_TABLE = `
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|
AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|AW Aruba|
AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|
BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|BM Bermuda|
BN Brunei Darussalam|BO Bolivia|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan|
BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos (Keeling) Islands|
CD Democratic Republic of the Congo|CF Central African Republic|CG Congo|CH Switzerland|
CI Cote d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|CO Colombia|CR Costa Rica|CU Cuba|
CV Cabo Verde|CW Curacao|CX Christmas Island|CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|
DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|
EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|
FM Micronesia|FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia|
GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|
GQ Equatorial Guinea|GR Greece|GS South Georgia and the South Sandwich Islands|GT Guatemala|
GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands|HN Honduras|
HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India|
IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|JM Jamaica|
JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|
KN Saint Kitts and Nevis|KP North Korea|KR South Korea|KW Kuwait|KY Cayman Islands|KZ Kazakhstan|
LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|
LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin|
MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia|MO Macao|
MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat|MT Malta|MU Mauritius|
MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|
NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue|
NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|
PK Pakistan|PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine|
PT Portugal|PW Palau|PY Paraguay|QA Qatar|RE Reunion|RO Romania|RS Serbia|RU Russian Federation|
RW Rwanda|SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|
SH Saint Helena, Ascension and Tristan da Cunha|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|
SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|
ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten|SY Syria|SZ Eswatini|
TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo|TH Thailand|
TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga|TR Turkiye|
TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|UA Ukraine|UG Uganda|
UM United States Minor Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan|VA Holy See|
VC Saint Vincent and the Grenadines|VE Venezuela|VG British Virgin Islands|
VI United States Virgin Islands|VN Viet Nam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|XK Kosovo|
YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe
`;

// Other spellings people and libraries send: formal ISO names, former names, abbreviations and
// constituent countries, as `alias=CODE`. Aliases are compared after `normalizeName`.
const ALIAS_TABLE = `
usa=US|u s=US|u s a=US|united states of america=US|america=US|us of a=US|uk=GB|u k=GB|
great britain=GB|britain=GB|united kingdom of great britain and northern ireland=GB|england=GB|
scotland=GB|wales=GB|northern ireland=GB|uae=AE|u a e=AE|emirates=AE|russia=RU|
korea republic of=KR|republic of korea=KR|korea=KR|korea south=KR|
korea democratic peoples republic of=KP|democratic peoples republic of korea=KP|dprk=KP|
korea north=KP|iran islamic republic of=IR|islamic republic of iran=IR|vietnam=VN|
lao peoples democratic republic=LA|syrian arab republic=SY|bolivia plurinational state of=BO|
venezuela bolivarian republic of=VE|tanzania united republic of=TZ|united republic of tanzania=TZ|
moldova republic of=MD|republic of moldova=MD|czech republic=CZ|ivory coast=CI|cape verde=CV|
swaziland=SZ|macedonia=MK|republic of north macedonia=MK|
the former yugoslav republic of macedonia=MK|burma=MM|holland=NL|kingdom of the netherlands=NL|
turkey=TR|republic of turkiye=TR|drc=CD|dr congo=CD|congo kinshasa=CD|
congo democratic republic of the=CD|democratic republic of congo=CD|congo brazzaville=CG|
republic of the congo=CG|republic of congo=CG|congo republic of the=CG|vatican=VA|vatican city=VA|
vatican city state=VA|holy see vatican city state=VA|brunei=BN|micronesia federated states of=FM|
federated states of micronesia=FM|taiwan province of china=TW|republic of china=TW|
hong kong sar=HK|hong kong sar china=HK|macau=MO|macao sar china=MO|macau sar china=MO|
palestine state of=PS|state of palestine=PS|palestinian territories=PS|east timor=TL|
falkland islands malvinas=FK|peoples republic of china=CN|prc=CN|mainland china=CN|the gambia=GM|
gambia the=GM|bahamas the=BS|the bahamas=BS|aaland islands=AX|virgin islands british=VG|
virgin islands u s=VI|us virgin islands=VI|virgin islands us=VI|saint martin french part=MF|
sint maarten dutch part=SX|st maarten=SX|reunion island=RE|saint helena=SH|bonaire=BQ|
caribbean netherlands=BQ|heard and mcdonald islands=HM|cocos islands=CC|keeling islands=CC|
pitcairn islands=PN|russian federation the=RU|south georgia=GS|timor leste=TL|
republic of ireland=IE|eire=IE|kyrgyz republic=KG|slovak republic=SK|the netherlands=NL|
netherlands the=NL|the philippines=PH|philippines the=PH|
united states minor outlying islands the=UM|us minor outlying islands=UM|deutschland=DE|espana=ES|
the united states=US|the united kingdom=GB
`;

const COUNTRIES = new Map<string, string>();
for (const entry of splitTable(COUNTRY_TABLE)) COUNTRIES.set(entry.slice(0, 2), entry.slice(3));

const BY_NAME = new Map<string, string>();
for (const [code, name] of COUNTRIES) BY_NAME.set(normalizeName(name), code);
for (const entry of splitTable(ALIAS_TABLE)) {
  const [alias = '', code = ''] = entry.split('=');
  BY_NAME.set(normalizeName(alias), code);
}

/** Upper-case ISO-3166-1 alpha-2 code for a code (any case) or English country name, else null. */
export function toCountryCode(input: string): string | null {
  if (typeof input !== 'string') return null;
  const trimmed = input.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    const code = trimmed.toUpperCase();
    if (COUNTRIES.has(code)) return code;
  }
  return BY_NAME.get(normalizeName(trimmed)) ?? null;
}

/** True for an upper- or lower-case ISO-3166-1 alpha-2 code. */
export function isCountryCode(s: string): boolean {
  return typeof s === 'string' && /^[A-Za-z]{2}$/.test(s) && COUNTRIES.has(s.toUpperCase());
}

// Folds case, accents, punctuation, `&` and the `St.` abbreviation so that "St. Lucia",
// "saint lucia" and "SAINT-LUCIA" all meet on one key.
function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^st /, 'saint ')
    .replace(/ st /g, ' saint ');
}

function splitTable(table: string): string[] {
  return table
    .split(/[|\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}
