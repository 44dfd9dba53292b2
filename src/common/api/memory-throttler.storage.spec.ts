import { MemoryThrottlerStorage } from './memory-throttler.storage';

describe('MemoryThrottlerStorage', () => {
  let store: MemoryThrottlerStorage;
  afterEach(() => store.onApplicationShutdown());

  it('counts a fixed window per key and blocks past the limit', async () => {
    store = new MemoryThrottlerStorage();
    for (let i = 1; i <= 3; i++) expect(await store.increment('k', 60_000, 3, 60_000, 'default')).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await store.increment('k', 60_000, 3, 60_000, 'default')).toMatchObject({ totalHits: 4, isBlocked: true });
    expect(await store.increment('other', 60_000, 3, 60_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps at most maxKeys counters: a flood of new clients drops the oldest windows', async () => {
    store = new MemoryThrottlerStorage(60_000, 100);
    for (let i = 0; i < 1000; i++) await store.increment(`ip:${i}`, 60_000, 10, 60_000, 'default');
    const size = (store as unknown as { windows: Map<string, unknown> }).windows.size;
    expect(size).toBe(100);
    // the newest clients are still counted
    expect(await store.increment('ip:999', 60_000, 10, 60_000, 'default')).toMatchObject({ totalHits: 2 });
    expect(await store.increment('ip:0', 60_000, 10, 60_000, 'default')).toMatchObject({ totalHits: 1 });
  });
});
