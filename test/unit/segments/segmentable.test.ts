import { describe, expect, it } from 'vitest';
import { unsegmentableProperty } from '../../../src/segments/segmentable';
import { WorkspaceSettings } from '../../../src/workspaces/settings';
import { filter } from './helpers';

const enabled = WorkspaceSettings.parse({
  segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
  segmentable_purchase_properties: [{ property_name: 'color' }],
});
const xy = { comparison: 'count_in_days_more_than', value: 0, days: 7 };
const eventProperty = (event_name: string, property_name: string) => ({
  custom_event_property: { event_name, property_name, property_value: 'hard', ...xy },
});
const purchaseProperty = (property_name: string, product_id?: string) => ({
  purchase_property: { property_name, property_value: 'red', ...xy, product_id },
});
const check = (json: unknown) => unsegmentableProperty(filter(json), enabled);

describe('unsegmentableProperty', () => {
  it('accepts property filters on enabled properties', () => {
    expect(
      check({ AND: [eventProperty('played', 'level'), purchaseProperty('color', 'sku')] }),
    ).toBeNull();
  });

  it('names the filter whose event property is not enabled', () => {
    expect(
      check({ OR: [eventProperty('played', 'level'), eventProperty('played', 'score')] }),
    ).toBe(
      'OR[1].custom_event_property: property "score" of event "played" is not enabled for segmentation (workspace setting segmentable_event_properties)',
    );
  });

  it('matches the event name as well as the property name', () => {
    expect(check(eventProperty('won', 'level'))).toMatch(
      /^custom_event_property: property "level" of event "won" is not enabled/,
    );
  });

  it('names a purchase property that is not enabled, through NOT', () => {
    expect(check({ AND: [{ NOT: purchaseProperty('size') }] })).toBe(
      'AND[0].NOT.purchase_property: purchase property "size" is not enabled for segmentation (workspace setting segmentable_purchase_properties)',
    );
  });

  it('leaves every other filter alone', () => {
    expect(
      check({
        custom_event: { event_name: 'played', ...xy },
      }),
    ).toBeNull();
  });
});
