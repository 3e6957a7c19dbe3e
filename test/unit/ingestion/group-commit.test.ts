import { describe, expect, it } from 'vitest';
import { type AppendResult, GroupCommit } from '../../../src/ingestion/group-commit';

/** A log shard stand-in for the pure lane logic: records each append, settles on demand. */
function shard() {
  const calls: { entries: unknown[]; objects: number; settle: (r?: Error) => void }[] = [];
  const send = (entries: string, objects: number) =>
    new Promise<AppendResult>((resolve, reject) => {
      calls.push({
        entries: JSON.parse(entries),
        objects,
        settle: (err) => (err ? reject(err) : resolve({ depth: calls.length })),
      });
    });
  const call = (i: number) => {
    const c = calls[i];
    if (!c) throw new Error(`no append #${i}`);
    return c;
  };
  return { calls, call, send };
}

const tick = () => new Promise((r) => setTimeout(r, 10));
const waitUntil = (_p: Promise<unknown>) => {};
const piece = (...keys: string[]) => JSON.stringify(keys.map((key) => ({ key })));

describe('GroupCommit', () => {
  it('sends the first request alone, then everyone who arrived meanwhile in one append, in order', async () => {
    const gc = new GroupCommit();
    const { calls, call, send } = shard();
    const first = gc.append('s', piece('a'), 1, send, waitUntil);
    const rest = ['b', 'c', 'd'].map((k) => gc.append('s', piece(k), 2, send, waitUntil));
    await tick();
    expect(calls).toHaveLength(1);
    expect(call(0).entries).toEqual([{ key: 'a' }]);
    call(0).settle();
    expect(await first).toEqual({ depth: 1 });
    await tick();
    expect(calls).toHaveLength(2);
    expect(call(1).entries).toEqual([{ key: 'b' }, { key: 'c' }, { key: 'd' }]);
    expect(call(1).objects).toBe(6);
    call(1).settle();
    expect(await Promise.all(rest)).toEqual([{ depth: 2 }, { depth: 2 }, { depth: 2 }]);
    expect(gc.activeLanes).toBe(0);
  });

  it('keeps lanes apart: another shard does not wait', async () => {
    const gc = new GroupCommit();
    const { calls, send } = shard();
    gc.append('s1', piece('a'), 1, send, waitUntil);
    gc.append('s2', piece('b'), 1, send, waitUntil);
    await tick();
    expect(calls.map((c) => c.entries)).toEqual([[{ key: 'a' }], [{ key: 'b' }]]);
    for (const c of calls) c.settle();
  });

  it('fails every request of a failed append, and the lane goes on', async () => {
    const gc = new GroupCommit();
    const { calls, call, send } = shard();
    const first = gc.append('s', piece('a'), 1, send, waitUntil);
    const grouped = [
      gc.append('s', piece('b'), 1, send, waitUntil),
      gc.append('s', piece('c'), 1, send, waitUntil),
    ];
    const later = grouped.map((p) =>
      p.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    call(0).settle();
    await first;
    await tick();
    call(1).settle(new Error('shard unreachable'));
    expect(await Promise.all(later)).toEqual(['shard unreachable', 'shard unreachable']);
    const after = gc.append('s', piece('d'), 1, send, waitUntil);
    await tick();
    expect(calls).toHaveLength(3);
    call(2).settle();
    expect(await after).toEqual({ depth: 3 });
  });

  it('starts a new batch when the waiting one is full', async () => {
    const gc = new GroupCommit();
    const { calls, call, send } = shard();
    const all = [gc.append('s', piece('a'), 1, send, waitUntil)];
    all.push(gc.append('s', piece('b'), 6_000, send, waitUntil));
    all.push(gc.append('s', piece('c'), 6_000, send, waitUntil));
    all.push(gc.append('s', piece('d'), 1, send, waitUntil));
    for (let i = 0; i < 3; i++) {
      await tick();
      call(i).settle();
    }
    await Promise.all(all);
    expect(calls.map((c) => c.entries.length)).toEqual([1, 1, 2]);
    expect(call(2).entries).toEqual([{ key: 'c' }, { key: 'd' }]);
  });

  it('gives up waiting after the wait limit, and bypasses a lane that has stalled', async () => {
    const gc = new GroupCommit({ waitMs: 20, stallMs: 10, onTimeout: () => new Error('timeout') });
    const { calls, send } = shard();
    gc.append('s', piece('a'), 1, send, waitUntil);
    const waiting = gc.append('s', piece('b'), 1, send, waitUntil);
    await expect(waiting).rejects.toThrow('timeout');
    // The first append never settled: a new request goes straight to the shard.
    const bypass = gc.append('s', piece('c'), 1, send, waitUntil);
    await tick();
    expect(calls.at(-1)?.entries).toEqual([{ key: 'c' }]);
    calls.at(-1)?.settle();
    await expect(bypass).resolves.toBeDefined();
  });

  it('hands a leader its work through waitUntil', async () => {
    const gc = new GroupCommit();
    const { call, send } = shard();
    const held: Promise<unknown>[] = [];
    gc.append('s', piece('a'), 1, send, (p) => held.push(p));
    const led = gc.append('s', piece('b'), 1, send, (p) => held.push(p));
    gc.append('s', piece('c'), 1, send, (p) => held.push(p));
    expect(held).toHaveLength(1);
    call(0).settle();
    await tick();
    call(1).settle();
    await led;
    await Promise.all(held);
  });
});
