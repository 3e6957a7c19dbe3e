/**
 * Validation and normalisation of a `POST /users/track` body (contract §2.2, §9.6). Pure: the
 * clock and the workspace's limits come in as arguments.
 */
import { type Checked, isRecord, type Problem } from './identifier';
import type {
  AttributesInput,
  EventInput,
  IngestionLimits,
  PurchaseInput,
  TrackError,
  TrackValidation,
} from './types';
import { type AttributesOutcome, validateAttributes } from './validate-attributes';
import { validateEvent, validatePurchase } from './validate-event';

/** Fatal message Braze answers when a request holds too many objects (§1.7). */
export const MAX_INPUT_LENGTH_EXCEEDED = 'Max Input Length Exceeded';

const ARRAYS = ['attributes', 'events', 'purchases'] as const;
type ArrayName = (typeof ARRAYS)[number];

/** Validates a parsed `/users/track` body into per-object inputs and non-fatal errors. */
export function validateTrackRequest(
  body: unknown,
  opts: { limits: IngestionLimits; now: number },
): TrackValidation {
  if (!isRecord(body)) return fatal('Invalid request body: expected a JSON object');
  const arrays: Record<ArrayName, unknown[]> = { attributes: [], events: [], purchases: [] };
  for (const name of ARRAYS) {
    const value = body[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return fatal(`Invalid request body: ${name} must be an array`);
    arrays[name] = value;
  }
  const counts = {
    attributes: arrays.attributes.length,
    events: arrays.events.length,
    purchases: arrays.purchases.length,
  };
  // The cap is checked before any per-object work so an oversized request costs nothing (§1.7).
  if (exceedsCap(counts, opts.limits)) return fatal(MAX_INPUT_LENGTH_EXCEEDED);
  if (counts.attributes + counts.events + counts.purchases === 0) {
    return fatal('Request must include at least one attribute, event or purchase object');
  }

  const errors: TrackError[] = [];
  const attributes: AttributesInput[] = [];
  arrays.attributes.forEach((raw, index) => {
    const checked: Checked<AttributesOutcome> = validateAttributes(raw, index);
    if (!checked.ok) {
      errors.push(toError('attributes', index, checked.problem));
      return;
    }
    attributes.push(checked.value.value);
    for (const problem of checked.value.dropped) errors.push(toError('attributes', index, problem));
  });
  const events: EventInput[] = collect(arrays.events, 'events', errors, (raw, index) =>
    validateEvent(raw, index, opts.now),
  );
  const purchases: PurchaseInput[] = collect(arrays.purchases, 'purchases', errors, (raw, index) =>
    validatePurchase(raw, index, opts.now),
  );
  return { type: 'ok', attributes, events, purchases, errors, counts };
}

function exceedsCap(
  counts: { attributes: number; events: number; purchases: number },
  limits: IngestionLimits,
): boolean {
  const total = counts.attributes + counts.events + counts.purchases;
  switch (limits.capMode) {
    case 'combined_75':
      return total > 75;
    case 'combined_50':
      return total > 50;
    default:
      return Math.max(counts.attributes, counts.events, counts.purchases) > 75;
  }
}

function collect<T>(
  raws: unknown[],
  name: ArrayName,
  errors: TrackError[],
  validate: (raw: unknown, index: number) => Checked<T>,
): T[] {
  const out: T[] = [];
  raws.forEach((raw, index) => {
    const checked = validate(raw, index);
    if (checked.ok) out.push(checked.value);
    else errors.push(toError(name, index, checked.problem));
  });
  return out;
}

function toError(inputArray: ArrayName, index: number, problem: Problem): TrackError {
  return { type: problem.type, input_array: inputArray, index, message: problem.message };
}

function fatal(message: string): TrackValidation {
  return { type: 'fatal', status: 400, message, errors: [] };
}
