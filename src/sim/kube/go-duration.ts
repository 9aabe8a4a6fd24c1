/**
 * Go `time.ParseDuration`, which Chaos Mesh uses for `spec.duration`, a Workflow template's
 * `deadline` and a StatusCheck's `duration` ("10s", "1m30s", "100ms", "1.5h", "-2s", "0").
 * Units: ns, us (µs, μs), ms, s, m, h. No days: Go has none.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const WHOLE = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0' || s === '+0' || s === '-0') return 0;
  if (!WHOLE.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return s.startsWith('-') ? -ms : ms;
}
