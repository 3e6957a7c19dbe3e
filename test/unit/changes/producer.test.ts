import { describe, expect, it } from 'vitest';
import { packMessages } from '../../../src/changes/producer';
import { ChangeMessage } from '../../../src/changes/records';

const batch = (profile: string, bytes: number) => ({
  v: 1 as const,
  workspace_id: 'w',
  profile_id: profile,
  records: [
    {
      id: profile,
      seq: 1,
      time: 1,
      type: 'event.custom' as const,
      event_id: 'e',
      name: 'x'.repeat(bytes),
      app_id: null,
      properties: {},
    },
  ],
});

describe('packMessages', () => {
  it('puts many small profile batches in one message', () => {
    const packed = packMessages(Array.from({ length: 75 }, (_, i) => batch(`p${i}`, 10)));
    expect(packed).toHaveLength(1);
    expect(packed[0]!.body.batches).toHaveLength(75);
    expect(ChangeMessage.safeParse(packed[0]!.body).success).toBe(true);
  });

  it('splits before a message would pass 100 KB, keeping every batch', () => {
    const packed = packMessages(Array.from({ length: 5 }, (_, i) => batch(`p${i}`, 40 * 1024)));
    expect(packed.length).toBeGreaterThan(1);
    expect(packed.every((m) => m.bytes <= 100 * 1024)).toBe(true);
    expect(packed.flatMap((m) => m.body.batches.map((b) => b.profile_id))).toEqual([
      'p0',
      'p1',
      'p2',
      'p3',
      'p4',
    ]);
  });
});
