/**
 * An experiment's verdict from the provider's and our measurements (pure), SPEC section 4:
 * "An experiment passes only when the provider's verdict is pass **and** every probe met its
 * tolerance **and** no gate was breached during it."
 *
 * Rules where the SPEC is silent:
 * - Only a `pass` is downgraded (to `fail`); `fail`, `aborted` and `error` stand as they are,
 *   and their reasons are the provider's (or our stop's).
 * - A breach that did not stop the experiment (`abortOnBreach: false`) makes it `fail`.
 * - A probe that did not hold again within its `recoveryTimeout` after cleanup makes it `fail`:
 *   a system that does not recover from the chaos did not pass.
 * - Every reason is listed, breach first, then tolerances, then recovery.
 */
import type { ExperimentMonitoring } from '../gates/monitor.js';
import type { ExperimentVerdict } from './result.js';

export function combinedVerdict(
  provider: { verdict: ExperimentVerdict; reason: string },
  m: ExperimentMonitoring | undefined,
): { verdict: ExperimentVerdict; reason: string } {
  if (provider.verdict !== 'pass' || !m) return provider;
  const problems: string[] = [];
  if (m.breach) problems.push(`gate breached during the experiment: ${m.breach.reason}`);
  for (const p of m.probes)
    if (!p.tolerance.met) problems.push(`probe ${p.probe}: ${p.tolerance.reason}`);
  for (const p of m.probes)
    if (p.recovery && !p.recovery.recovered)
      problems.push(`probe ${p.probe} did not hold again after cleanup: ${p.recovery.reason}`);
  if (!problems.length) return provider;
  return { verdict: 'fail', reason: `${provider.reason}, but ${problems.join('; ')}` };
}

/** Our probes attached to an experiment and those that met their tolerance (for the score). */
export function probeTally(m: ExperimentMonitoring | undefined): { total: number; passed: number } {
  const probes = m?.probes ?? [];
  return { total: probes.length, passed: probes.filter((p) => p.tolerance.met).length };
}
