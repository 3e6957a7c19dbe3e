import type {
  AttributesInput,
  EventInput,
  IngestionLimits,
  PurchaseInput,
  TrackError,
  TrackValidation,
} from '../../../src/ingestion/types';
import { validateTrackRequest } from '../../../src/ingestion/validate-track';

/** The fixed clock every ingestion test runs at. */
export const NOW = Date.parse('2024-06-01T12:00:00.000Z');

type Ok = Extract<TrackValidation, { type: 'ok' }>;

/** Validates a body with the default cap mode and the fixed clock. */
export function track(
  body: unknown,
  capMode: IngestionLimits['capMode'] = 'per_array_75',
): TrackValidation {
  return validateTrackRequest(body, { limits: { capMode }, now: NOW });
}

/** Validates a body that must not be fatal, and returns the ok result. */
export function trackOk(body: unknown): Ok {
  const result = track(body);
  if (result.type !== 'ok') throw new Error(`expected ok, got fatal: ${result.message}`);
  return result;
}

/** One attributes object: the validated input (or undefined) and its errors. */
export function attr(obj: Record<string, unknown>): {
  input: AttributesInput | undefined;
  errors: TrackError[];
} {
  const result = trackOk({ attributes: [obj] });
  return { input: result.attributes[0], errors: result.errors };
}

/** An attributes object for `external_id: 'u1'` carrying `fields`; returns the validated input. */
export function attrOk(fields: Record<string, unknown>): AttributesInput {
  const { input, errors } = attr({ external_id: 'u1', ...fields });
  if (!input) throw new Error(`expected the object to validate, got ${JSON.stringify(errors)}`);
  return input;
}

/** The single error of an attributes object for `external_id: 'u1'` carrying `fields`. */
export function attrError(fields: Record<string, unknown>): TrackError {
  const { input, errors } = attr({ external_id: 'u1', ...fields });
  if (input) throw new Error('expected the object to be rejected');
  if (errors.length !== 1 || !errors[0]) throw new Error(`expected one error: ${errors.length}`);
  return errors[0];
}

/** A valid event object with overrides. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { external_id: 'u1', name: 'played', time: '2024-05-01T10:00:00Z', ...overrides };
}

/** A valid purchase object with overrides. */
export function purchase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_id: 'u1',
    product_id: 'backpack',
    currency: 'USD',
    price: 40,
    time: '2024-05-01T10:00:00Z',
    ...overrides,
  };
}

/** Validates one event; returns the input or the errors. */
export function oneEvent(obj: Record<string, unknown>): {
  input: EventInput | undefined;
  errors: TrackError[];
} {
  const result = trackOk({ events: [obj] });
  return { input: result.events[0], errors: result.errors };
}

/** Validates one purchase; returns the input or the errors. */
export function onePurchase(obj: Record<string, unknown>): {
  input: PurchaseInput | undefined;
  errors: TrackError[];
} {
  const result = trackOk({ purchases: [obj] });
  return { input: result.purchases[0], errors: result.errors };
}
