import { z } from 'zod';

/**
 * A sending identity: an E.164 number (long code, toll-free), a short code (5–6 digits) or an
 * alphanumeric sender id (1–11 letters, digits and spaces, at least one letter), as Twilio takes
 * them in `From`.
 */
export const SenderId = z
  .string({ error: 'a sending number must be a string' })
  .refine(
    (s) =>
      /^\+[1-9]\d{6,14}$/.test(s) ||
      /^\d{5,6}$/.test(s) ||
      (/^[A-Za-z0-9 ]{1,11}$/.test(s) && /[A-Za-z]/.test(s)),
    'a sending number must be E.164 (+15551234567), a short code or an alphanumeric sender id',
  );
