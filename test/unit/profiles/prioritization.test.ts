import { describe, expect, it } from 'vitest';
import { INDEX_SHARDS, shardOf } from '../../../src/lib/stubs';
import { pickByPrioritization, pickForWrite } from '../../../src/users/locate';

const c = (profileId: string, identified: boolean, updatedAt: number) => ({
  profileId,
  identified,
  updatedAt,
});

describe('choosing among profiles that share an email or phone', () => {
  it('writes to the most recently updated identified profile', () => {
    expect(pickForWrite([c('a', false, 9), c('b', true, 5), c('c', true, 7)])).toBe('c');
  });

  it('falls back to the most recently updated profile when none is identified', () => {
    expect(pickForWrite([c('a', false, 1), c('b', false, 2)])).toBe('b');
    expect(pickForWrite([])).toBeNull();
  });

  it('applies prioritization filters in order', () => {
    const list = [c('a', false, 1), c('b', false, 3), c('k', true, 9)];
    expect(pickByPrioritization(list, ['unidentified', 'most_recently_updated'])).toEqual(
      c('b', false, 3),
    );
    expect(pickByPrioritization(list, ['unidentified', 'least_recently_updated'])).toEqual(
      c('a', false, 1),
    );
    expect(pickByPrioritization(list, ['identified'])).toEqual(c('k', true, 9));
  });

  it('answers ambiguous when several profiles remain, and none when nothing matches', () => {
    expect(pickByPrioritization([c('a', false, 1), c('b', false, 3)], ['unidentified'])).toBe(
      'ambiguous',
    );
    expect(pickByPrioritization([c('a', false, 1)], ['identified'])).toBe('none');
  });
});

describe('directory sharding', () => {
  it('puts the same identifier on the same shard every time', () => {
    expect(shardOf('external_id', 'user-1')).toBe(shardOf('external_id', 'user-1'));
  });

  it('spreads identifiers across every shard', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(shardOf('external_id', `user-${i}`));
    expect(seen.size).toBe(INDEX_SHARDS);
  });
});
