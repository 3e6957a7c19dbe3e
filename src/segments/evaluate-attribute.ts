import type { Json, Scalar } from '../ingestion/types';
import { type Resolved, resolveAttribute } from './attribute';
import type { CustomAttributeFilter } from './filters';
import { matchesPatterns, patternsOf } from './regex';
import type { ProfileSummary } from './summary';
import { timeBounds, withinBounds } from './time';

/**
 * Custom attribute filters in memory. Negative comparisons are the exact negation of their
 * positive twin (a profile without the attribute matches `not_equal`), except
 * `does_not_match_regex`, which Braze documents as never matching a blank value.
 */

function isBlank(a: Resolved | null): boolean {
  return a === null || a.value === '' || (Array.isArray(a.value) && a.value.length === 0);
}

function equalsScalar(e: Json, v: Scalar): boolean {
  return e === v;
}

/** Whether one profile's custom attributes satisfy a custom attribute filter at `now`. */
export function evaluateCustomAttribute(
  f: CustomAttributeFilter,
  custom: ProfileSummary['custom'],
  now: number,
): boolean {
  const a = resolveAttribute(custom, f.custom_attribute_name);
  const str = a?.kind === 'string' && typeof a.value === 'string' ? a.value : null;
  const num = a?.kind === 'number' && typeof a.value === 'number' ? a.value : null;
  const bool = a?.kind === 'boolean' && typeof a.value === 'boolean' ? a.value : null;
  const arr = a?.kind === 'array' && Array.isArray(a.value) ? a.value : null;
  const time = a?.kind === 'time' && typeof a.value === 'number' ? a.value : null;

  const equals = (v: Scalar): boolean => {
    if (typeof v === 'string') return str === v;
    if (typeof v === 'boolean') return bool === v;
    // Braze quirk (§2.3): "exactly 0" also matches profiles without the attribute.
    return num === v || (v === 0 && a === null);
  };
  const includesAny = (values: Scalar[]): boolean =>
    (arr ?? []).some((e) => values.some((v) => equalsScalar(e, v)));

  switch (f.comparison) {
    case 'exists':
      return a !== null;
    case 'does_not_exist':
      return a === null;
    case 'is_blank':
      return isBlank(a);
    case 'is_not_blank':
      return !isBlank(a);
    case 'is_empty':
      return a === null || (arr !== null && arr.length === 0);
    case 'has_a_value':
      return arr !== null && arr.length > 0;
    case 'is_true_or_not_set':
      return a === null || bool === true;
    case 'is_false_or_not_set':
      return a === null || bool === false;
    case 'equals':
      return equals(f.value);
    case 'not_equal':
    case 'does_not_equal':
      return !equals(f.value);
    case 'greater_than':
      return num !== null && num > f.value;
    case 'greater_than_or_equal_to':
      return num !== null && num >= f.value;
    case 'less_than':
      // Braze quirk (§2.3): "less than" also matches profiles without the attribute.
      return a === null || (num !== null && num < f.value);
    case 'less_than_or_equal_to':
      return num !== null && num <= f.value;
    case 'matches_regex': {
      const patterns = patternsOf(f.value);
      if (str !== null) return matchesPatterns(str, patterns);
      return (arr ?? []).some((e) => typeof e === 'string' && matchesPatterns(e, patterns));
    }
    case 'does_not_match_regex':
      return str !== null && str !== '' && !matchesPatterns(str, patternsOf(f.value));
    case 'includes_value':
      return includesAny([f.value]);
    case 'does_not_include_value':
      return !includesAny([f.value]);
    case 'is_any_of':
      return str !== null && f.value.includes(str);
    case 'is_none_of':
      return !(str !== null && f.value.includes(str));
    case 'contains_any_of':
      return str !== null && f.value.some((s) => str.includes(s));
    case 'does_not_contain_any_of':
      return !(str !== null && f.value.some((s) => str.includes(s)));
    case 'includes_any_of':
      return includesAny(f.value);
    case 'includes_none_of':
      return !includesAny(f.value);
    case 'is_all_of':
      return arr !== null && f.value.every((v) => arr.some((e) => equalsScalar(e, v)));
    case 'less_than_x_days_ago':
    case 'greater_than_x_days_ago':
    case 'less_than_x_days_in_the_future':
    case 'greater_than_x_days_in_the_future':
    case 'after':
    case 'before':
      return time !== null && withinBounds(time, timeBounds(f.comparison, f.value, now));
  }
}
