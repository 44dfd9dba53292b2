/**
 * Watches this process's event loop: the longest stretch in which no timer could run, i.e. how long
 * any other request would have waited. Call the returned function after the work; it waits for one
 * more tick, so a stretch that lasts to the very end is counted too (perf_hooks'
 * monitorEventLoopDelay reports 0 for a loop that never turned at all).
 */
export function watchEventLoop(everyMs = 5): () => Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - everyMs);
    last = now;
  }, everyMs);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, everyMs * 2));
    clearInterval(timer);
    return Math.max(0, Math.round(longest));
  };
}
