/**
 * Phone numbers as SMS needs them: E.164 (`+` and up to 15 digits). Braze's rules for what users
 * store: punctuation other than a leading `+` is dropped, and ten digits without a country code
 * are a US number.
 */

/** The E.164 form of a stored phone number, or null when it cannot be one. */
export function toE164(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^\+?[\d\s().\-/]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) {
    return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
  }
  if (/^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
  if (/^1[2-9]\d{9}$/.test(digits)) return `+${digits}`;
  return null;
}

/** Forms a user may have stored a number in, for look-ups by an E.164 number. */
export function storedForms(e164: string): string[] {
  const digits = e164.slice(1);
  const forms = new Set([e164, digits]);
  if (digits.length === 11 && digits.startsWith('1')) forms.add(digits.slice(1));
  return [...forms];
}
