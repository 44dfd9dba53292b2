/**
 * Gives timers and I/O a turn. better-sqlite3 is synchronous under TypeORM's promises, so a long
 * run of awaited queries (an import of thousands of rows) is one unbroken chain of microtasks: no
 * other request would be answered, not even /healthz, until it ends. Long loops call this between
 * batches.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
