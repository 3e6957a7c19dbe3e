import type { SegmentableProperties } from '../workspaces/settings';
import type { SegmentFilter } from './filters';

/**
 * The save-time rule of the property filters: a property can only be segmented on once the
 * workspace enabled it (profiles count nothing else). Errors name the filter as the parser does.
 */

const at = (path: string, rest: string) => (path ? `${path}.${rest}` : rest);

function check(node: SegmentFilter, path: string, enabled: SegmentableProperties): string | null {
  if ('AND' in node || 'OR' in node) {
    const key = 'AND' in node ? 'AND' : 'OR';
    const children = 'AND' in node ? node.AND : node.OR;
    for (const [i, child] of children.entries()) {
      const problem = check(child, at(path, `${key}[${i}]`), enabled);
      if (problem) return problem;
    }
    return null;
  }
  if ('NOT' in node) return check(node.NOT, at(path, 'NOT'), enabled);
  if ('custom_event_property' in node) {
    const { event_name, property_name } = node.custom_event_property;
    const on = enabled.segmentable_event_properties.some(
      (p) => p.event_name === event_name && p.property_name === property_name,
    );
    if (on) return null;
    return `${at(path, 'custom_event_property')}: property ${JSON.stringify(property_name)} of event ${JSON.stringify(event_name)} is not enabled for segmentation (workspace setting segmentable_event_properties)`;
  }
  if ('purchase_property' in node) {
    const { property_name } = node.purchase_property;
    if (enabled.segmentable_purchase_properties.some((p) => p.property_name === property_name)) {
      return null;
    }
    return `${at(path, 'purchase_property')}: purchase property ${JSON.stringify(property_name)} is not enabled for segmentation (workspace setting segmentable_purchase_properties)`;
  }
  return null;
}

/** The first property filter of a tree that names a property the workspace has not enabled. */
export function unsegmentableProperty(
  filter: SegmentFilter,
  enabled: SegmentableProperties,
): string | null {
  return check(filter, '', enabled);
}
