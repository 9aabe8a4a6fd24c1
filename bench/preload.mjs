// Loaded with `node --import` into the action process the bench measures (dist/index.js): at
// exit it writes, to $BENCH_PROBE_OUT, the peak RSS (getrusage), the peaks of RSS and heap it
// sampled every 50 ms, the live heap after a full GC (with --expose-gc), and every module file
// the process loaded (the bundle's share of a run). It changes nothing the action does.
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const out = process.env.BENCH_PROBE_OUT;
const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(url);
    return nextLoad(url, context);
  },
});

const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
const sample = () => {
  const m = process.memoryUsage();
  for (const k of Object.keys(peaks)) peaks[k] = Math.max(peaks[k], m[k]);
};
setInterval(sample, 50).unref();

process.on('exit', () => {
  sample();
  if (!out) return;
  const maxRssKiB = process.resourceUsage().maxRSS;
  globalThis.gc?.();
  writeFileSync(
    out,
    JSON.stringify({
      maxRssKiB,
      peaks,
      heapUsedAfterGc: globalThis.gc ? process.memoryUsage().heapUsed : undefined,
      modules: [...loaded],
    }),
  );
});
