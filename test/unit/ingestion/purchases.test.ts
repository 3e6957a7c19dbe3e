import { describe, expect, it } from 'vitest';
import { NOW, onePurchase, purchase } from './helpers';

describe('purchase objects', () => {
  it('normalises a valid purchase', () => {
    const { input, errors } = onePurchase(
      purchase({ app_id: 'app', quantity: 2, properties: { color: 'red' } }),
    );
    expect(errors).toEqual([]);
    expect(input).toEqual({
      index: 0,
      identifier: { kind: 'external_id', value: 'u1' },
      updateExistingOnly: false,
      productId: 'backpack',
      currency: 'USD',
      price: 40,
      quantity: 2,
      time: Date.parse('2024-05-01T10:00:00Z'),
      appId: 'app',
      properties: { color: 'red' },
    });
  });

  it('defaults quantity to 1', () => {
    expect(onePurchase(purchase()).input?.quantity).toBe(1);
  });

  it('accepts quantity 100', () => {
    expect(onePurchase(purchase({ quantity: 100 })).input?.quantity).toBe(100);
  });

  it.each([
    ['0', 0],
    ['101', 101],
    ['a fraction', 1.5],
    ['a string', '2'],
  ])('rejects quantity %s', (_label, quantity) => {
    expect(onePurchase(purchase({ quantity })).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: 'quantity must be an integer from 1 to 100',
    });
  });

  it('upper-cases a lower-case currency', () => {
    expect(onePurchase(purchase({ currency: 'eur' })).input?.currency).toBe('EUR');
  });

  it.each([
    ['an unknown code', 'ZZZ'],
    ['a symbol', '$'],
    ['a number', 840],
    ['a missing currency', undefined],
  ])('rejects %s as currency', (_label, currency) => {
    expect(onePurchase(purchase({ currency })).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: 'currency must be an ISO 4217 currency code such as USD',
    });
  });

  it('accepts a zero price', () => {
    expect(onePurchase(purchase({ price: 0 })).input?.price).toBe(0);
  });

  it('accepts a negative price for refunds', () => {
    expect(onePurchase(purchase({ price: -12.5 })).input?.price).toBe(-12.5);
  });

  it('rejects a string price', () => {
    expect(onePurchase(purchase({ price: '12.12' })).errors[0]?.message).toBe(
      'price must be a number',
    );
  });

  it('rejects a missing price', () => {
    expect(onePurchase(purchase({ price: undefined })).errors[0]?.message).toBe(
      'price must be a number',
    );
  });

  it('rejects a missing product_id', () => {
    expect(onePurchase(purchase({ product_id: undefined })).errors[0]?.message).toBe(
      'product_id must be a non-empty string',
    );
  });

  it('rejects a product_id longer than 255 characters', () => {
    expect(onePurchase(purchase({ product_id: 'p'.repeat(256) })).errors[0]).toMatchObject({
      type: 'string_too_long',
      message: 'product_id must be at most 255 characters',
    });
  });

  it('clamps a future time to now', () => {
    expect(onePurchase(purchase({ time: '2100-01-01' })).input?.time).toBe(NOW);
  });

  it('rejects an unparseable time', () => {
    expect(onePurchase(purchase({ time: 'now' })).errors[0]?.type).toBe('invalid_time');
  });

  it('applies the event property rules', () => {
    expect(onePurchase(purchase({ properties: { event_name: 'x' } })).errors[0]?.type).toBe(
      'invalid_property',
    );
  });

  it('accepts nested properties up to 50 KB', () => {
    const list = Array.from({ length: 190 }, () => 'x'.repeat(250));
    expect(onePurchase(purchase({ properties: { list } })).errors).toEqual([]);
  });

  it('rejects nested properties over 50 KB', () => {
    const list = Array.from({ length: 210 }, () => 'x'.repeat(250));
    expect(onePurchase(purchase({ properties: { list } })).errors[0]).toMatchObject({
      type: 'properties_too_large',
      message: 'properties must be at most 50 KB when they contain arrays or objects',
    });
  });
});
