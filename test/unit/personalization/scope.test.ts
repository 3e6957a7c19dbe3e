import { describe, expect, it } from 'vitest';
import { buildScope, type MessageContext } from '../../../src/personalization/scope';
import { JANET } from './fixtures';

describe('buildScope', () => {
  it('shares the message-side values between recipients of one message context', () => {
    const message: MessageContext = {
      campaign: { api_id: 'c-1', dispatch_id: 'd-1' },
      api_trigger_properties: { coupon: 'X1' },
      links: { unsubscribe: 'https://u.example/1' },
    };
    const other = { ...JANET, brazeId: 'b-2', standard: { first_name: 'Ana' }, custom: {} };
    const a = buildScope(JANET, message);
    const b = buildScope(other, message);
    expect(a.campaign).toEqual({ api_id: 'c-1', dispatch_id: 'd-1' });
    expect(b.campaign).toBe(a.campaign);
    expect(b.api_trigger_properties).toEqual({ coupon: 'X1' });
    expect((a.__braze as Record<string, unknown>).unsubscribe_url).toBe('https://u.example/1');
    expect((b.__braze as Record<string, unknown>).first_name).toBe('Ana');
    expect(a.custom_attribute).not.toBe(b.custom_attribute);
    expect(b.custom_attribute).toEqual({});
  });

  it('gives each message context its own values', () => {
    const a = buildScope(JANET, { campaign: { api_id: 'c-1' } });
    const b = buildScope(JANET, { campaign: { api_id: 'c-2' } });
    expect(a.campaign).toEqual({ api_id: 'c-1', dispatch_id: 'dispatch_id_for_unsent_campaign' });
    expect(b.campaign).toEqual({ api_id: 'c-2', dispatch_id: 'dispatch_id_for_unsent_campaign' });
  });
});
