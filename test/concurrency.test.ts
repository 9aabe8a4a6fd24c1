/** mapLimit: bounded concurrency, results in input order, failures surface. */
import { mapLimit } from '../src/concurrency.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('results keep the input order whatever order the calls finish in', async () => {
  const out = await mapLimit([30, 5, 20, 1], 4, async (ms, i) => {
    await tick(ms);
    return `${i}:${ms}`;
  });
  expect(out).toEqual(['0:30', '1:5', '2:20', '3:1']);
});

test('never more than `limit` calls in flight, and every item is called once', async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await mapLimit(
    Array.from({ length: 20 }, (_, i) => i),
    3,
    async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(i);
      await tick(2);
      inFlight--;
    },
  );
  expect(peak).toBe(3);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('a rejection rejects the call and starts nothing new', async () => {
  const started: number[] = [];
  await expect(
    mapLimit([1, 2, 3, 4, 5, 6], 2, async (i) => {
      started.push(i);
      await tick(1);
      if (i === 2) throw new Error('boom');
      return i;
    }),
  ).rejects.toThrow('boom');
  expect(started.length).toBeLessThan(6);
});

test('no items: no calls', async () => {
  expect(await mapLimit([], 4, () => Promise.reject(new Error('never')))).toEqual([]);
});
