import { describe, expect, it } from 'vitest';
import {
  parseSettings,
  segmentableOf,
  settingsProblem,
  WorkspaceSettings,
} from '../../../src/workspaces/settings';

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ event_name: 'played', property_name: `p${i}` }));

describe('segmentable property settings', () => {
  it('default to nothing enabled and an allowance of 20', () => {
    const s = parseSettings('{}');
    expect(s.segmentable_event_properties).toEqual([]);
    expect(s.segmentable_purchase_properties).toEqual([]);
    expect(s.segmentable_property_limit).toBe(20);
    expect(segmentableOf(s)).toBeUndefined();
  });

  it('allow 20 properties by default, events and purchases together', () => {
    const ok = WorkspaceSettings.parse({
      segmentable_event_properties: events(19),
      segmentable_purchase_properties: [{ property_name: 'color' }],
    });
    expect(settingsProblem(ok)).toBeNull();
    const over = WorkspaceSettings.parse({
      segmentable_event_properties: events(20),
      segmentable_purchase_properties: [{ property_name: 'color' }],
    });
    expect(settingsProblem(over)).toBe(
      'settings: 21 segmentable properties are enabled but segmentable_property_limit is 20',
    );
  });

  it('allow more when the limit is raised', () => {
    const s = WorkspaceSettings.parse({
      segmentable_event_properties: events(30),
      segmentable_property_limit: 30,
    });
    expect(settingsProblem(s)).toBeNull();
  });

  it('count a property listed twice once', () => {
    const s = WorkspaceSettings.parse({
      segmentable_event_properties: [...events(1), ...events(1)],
      segmentable_property_limit: 1,
    });
    expect(settingsProblem(s)).toBeNull();
  });

  it('refuse property names starting with $, as Braze does', () => {
    const r = WorkspaceSettings.safeParse({
      segmentable_purchase_properties: [{ property_name: '$price' }],
    });
    expect(r.success).toBe(false);
  });
});
