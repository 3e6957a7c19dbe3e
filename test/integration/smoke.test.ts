import { describe, expect, it } from 'vitest';
import { createWorkspace, exportUser } from '../fixtures/workspace';

describe('smoke', () => {
  it('tracks an attribute and exports it', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'u1', first_name: 'Jon', loyalty: 3 }],
      events: [{ external_id: 'u1', name: 'played', time: '2026-11-20T10:00:00Z' }],
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({
      message: 'success',
      attributes_processed: 1,
      events_processed: 1,
    });
    const user = await exportUser(ws, 'u1');
    expect(user).toMatchObject({
      external_id: 'u1',
      first_name: 'Jon',
      custom_attributes: { loyalty: 3 },
    });
  });
});
