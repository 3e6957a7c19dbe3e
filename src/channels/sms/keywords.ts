/**
 * Braze's default SMS keywords (contract messaging §5.2): an inbound message that is exactly one
 * of these words, in any case, opts in, opts out or asks for help. `STOP PLEASE` is not a
 * keyword. Pure.
 */

export type KeywordCategory = 'opt_in' | 'opt_out' | 'help';

const KEYWORDS: Record<string, KeywordCategory> = {
  START: 'opt_in',
  YES: 'opt_in',
  UNSTOP: 'opt_in',
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  HELP: 'help',
  INFO: 'help',
};

/** The keyword category of an inbound body, or null when it is not exactly one keyword. */
export function keywordCategory(body: string): KeywordCategory | null {
  const word = body.trim().toUpperCase();
  return Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word]! : null;
}

/** The auto-replies a group sends when it names none of its own. */
export const DEFAULT_REPLIES: Record<KeywordCategory, string> = {
  opt_in: 'You are now subscribed. Reply HELP for help, STOP to unsubscribe.',
  opt_out: 'You are unsubscribed and will receive no more messages. Reply START to resubscribe.',
  help: 'Reply STOP to unsubscribe or START to resubscribe. Msg & data rates may apply.',
};

/** TwiML answering an inbound message: one reply, or none. */
export function twiml(reply: string | null): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  if (reply === null) return `${head}<Response/>`;
  const text = reply
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  return `${head}<Response><Message>${text}</Message></Response>`;
}
