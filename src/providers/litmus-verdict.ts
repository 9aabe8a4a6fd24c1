/**
 * Reading a Litmus run's outcome from the ChaosEngine and its ChaosResults (pure).
 * Field paths and strings: chaos-operator chaosengine_types.go / chaosresult_types.go,
 * litmus-go pkg/result (see the fixtures README, section 2). SPEC section 4 maps them:
 * Pass -> pass, Fail -> fail, Stopped -> error (we stopped it: the engine decides), Error -> error.
 */
import { asArray, asString, dig, isRecord, type KubeObject } from '../kube/object.js';
import type { ProviderVerdict } from './provider.js';

export interface ExpectedResult {
  /** The ChaosExperiment's name as the engine names it. */
  experiment: string;
  /** `<engine>-<experiment>[-<INSTANCE_ID>]`. */
  resultName: string;
}

export interface LitmusObservation {
  engine: KubeObject | undefined;
  engineUid: string;
  /** ChaosResults in the engine's namespace (any; only ours by chaosUID are read). */
  results: KubeObject[];
  expected: ExpectedResult[];
  /**
   * The engine and its results come on separate watches, so the engine's "completed" can arrive
   * before the final result. False while the caller still waits for a result to catch up: a
   * missing result is then not yet an error. Default true.
   */
  resultGraceOver?: boolean;
}

export type LitmusState =
  | { done: false; running: boolean; awaitingResults?: boolean }
  | { done: true; verdict: ProviderVerdict };

export const NOT_FOUND_STATUS = 'ChaosExperiment Not Found';

/** `status.experiments[].status` values after which chaos-runner writes nothing more. */
const TERMINAL_RECORDS = new Set(['Completed', 'Skipped', 'Forcefully Aborted', NOT_FOUND_STATUS]);

/** `<engine>-<experiment>`, or `-<INSTANCE_ID>` appended when the experiment sets that env. */
export function expectedResults(engine: KubeObject): ExpectedResult[] {
  const name = engine.metadata.name ?? '';
  return asArray(dig(engine.spec, 'experiments')).flatMap((e) => {
    const experiment = asString(dig(e, 'name'));
    if (!experiment) return [];
    let instance: string | undefined;
    for (const env of asArray(dig(e, 'spec', 'components', 'env')))
      if (dig(env, 'name') === 'INSTANCE_ID') instance = asString(dig(env, 'value'));
    return [{ experiment, resultName: `${name}-${experiment}${instance ? `-${instance}` : ''}` }];
  });
}

function resultStatus(r: KubeObject): { phase?: string; verdict?: string } {
  return {
    phase: asString(dig(r.status, 'experimentStatus', 'phase')),
    verdict: asString(dig(r.status, 'experimentStatus', 'verdict')),
  };
}

/** A result still running: phase Running or verdict Awaited (or not written yet). */
function finished(r: KubeObject): boolean {
  const { phase, verdict } = resultStatus(r);
  return (
    phase !== undefined && verdict !== undefined && phase !== 'Running' && verdict !== 'Awaited'
  );
}

export function litmusState(obs: LitmusObservation): LitmusState {
  const { engine } = obs;
  if (!engine)
    return {
      done: true,
      verdict: { verdict: 'error', reason: 'the ChaosEngine was deleted while the experiment ran' },
    };
  for (const s of asArray(dig(engine.status, 'experiments'))) {
    if (dig(s, 'status') === NOT_FOUND_STATUS) {
      const name = asString(dig(s, 'name')) ?? '?';
      return {
        done: true,
        verdict: {
          verdict: 'error',
          reason: `ChaosExperiment "${name}" not found in namespace ${engine.metadata.namespace ?? ''}: install the fault (kubectl apply -f its fault.yaml) or add it to the manifest`,
        },
      };
    }
  }
  const ours = new Map<string, KubeObject>();
  for (const r of obs.results)
    if (r.metadata.labels?.chaosUID === obs.engineUid && r.metadata.name)
      ours.set(r.metadata.name, r);
  const found = obs.expected.map((e) => ({ e, r: ours.get(e.resultName) }));
  const engineStatus = asString(dig(engine.status, 'engineStatus'));
  const finals = found.flatMap((f) => (f.r && finished(f.r) ? [f.r] : []));
  if (finals.length === found.length) return { done: true, verdict: combine(finals) };
  if (engineStatus === 'stopped')
    return {
      done: true,
      verdict: {
        verdict: 'error',
        reason:
          'the ChaosEngine was stopped (engineStatus stopped) before its results were written',
      },
    };
  if (engineStatus === 'completed') {
    const missing = found.filter((f) => !f.r || !finished(f.r)).map((f) => f.e.resultName);
    // The operator marks the engine completed when the runner pod ends; results written by the
    // experiment pod may land a moment later, so a missing result is only an error once the
    // runner has finished *and* the engine's own record says the experiment completed.
    // chaos-runner records "Skipped" when it could not launch or watch the experiment's job;
    // no result follows. Any terminal record with no final result is an error.
    const records = asArray(dig(engine.status, 'experiments'));
    const recorded = records.every((s) => TERMINAL_RECORDS.has(asString(dig(s, 'status')) ?? ''));
    const skipped = records
      .filter((s) => dig(s, 'status') === 'Skipped')
      .map((s) => asString(dig(s, 'name')) ?? '?');
    if (recorded && missing.length && obs.resultGraceOver !== false)
      return {
        done: true,
        verdict: {
          verdict: 'error',
          reason: `the ChaosEngine completed without a final ChaosResult (${missing.join(', ')})${skipped.length ? `: chaos-runner skipped ${skipped.join(', ')} (it could not launch or watch the experiment job)` : ''}`,
        },
      };
    if (recorded && missing.length) return { done: false, running: false, awaitingResults: true };
  }
  return {
    done: false,
    running: engineStatus === 'initialized' || found.some((f) => f.r !== undefined),
  };
}

function combine(results: KubeObject[]): ProviderVerdict {
  const details: Record<string, unknown> = {};
  // Q probes of the provider's, of which Q * q / 100 passed (SPEC section 6), over all results.
  let passedProbes = 0;
  let providerProbes = 0;
  const lines: string[] = [];
  let worst: ProviderVerdict['verdict'] = 'pass';
  const rank = { pass: 0, fail: 1, error: 2, aborted: 3 } as const;
  for (const r of results) {
    const { phase, verdict } = resultStatus(r);
    const pct = Number(asString(dig(r.status, 'experimentStatus', 'probeSuccessPercentage')));
    const probes = asArray(dig(r.status, 'probeStatuses')).filter(isRecord);
    providerProbes += probes.length;
    if (probes.length > 0 && Number.isFinite(pct)) passedProbes += (pct * probes.length) / 100;
    const failedProbes = probes
      .filter((p) => dig(p, 'status', 'verdict') === 'Failed')
      .map(
        (p) =>
          `${asString(p.name) ?? '?'}: ${asString(dig(p, 'status', 'description')) ?? 'failed'}`,
      );
    details[r.metadata.name ?? ''] = {
      phase,
      verdict,
      probeSuccessPercentage: asString(dig(r.status, 'experimentStatus', 'probeSuccessPercentage')),
      probeStatuses: probes,
      errorOutput: dig(r.status, 'experimentStatus', 'errorOutput'),
    };
    let v: ProviderVerdict['verdict'];
    let line: string;
    switch (verdict) {
      case 'Pass':
        v = 'pass';
        line = `${r.metadata.name}: Pass`;
        break;
      case 'Fail':
        v = 'fail';
        line = `${r.metadata.name}: Fail (phase ${phase}${probes.length ? `, probe success ${pct}%` : ''})${failedProbes.length ? `; failed probes: ${failedProbes.join('; ')}` : ''}`;
        break;
      case 'Stopped':
        v = 'error';
        line = `${r.metadata.name}: Stopped by Litmus (phase ${phase}), not by chaos-gate`;
        break;
      default: {
        v = 'error';
        const code = asString(dig(r.status, 'experimentStatus', 'errorOutput', 'errorCode'));
        const why = asString(dig(r.status, 'experimentStatus', 'errorOutput', 'reason'));
        line = `${r.metadata.name}: ${verdict ?? 'no verdict'} (phase ${phase}${code ? `, ${code}` : ''}${why ? `: ${why}` : ''})`;
      }
    }
    if (rank[v] > rank[worst]) worst = v;
    lines.push(line);
  }
  const out: ProviderVerdict = {
    verdict: worst,
    reason: `Litmus ${lines.join('; ')}`,
    details,
    providerProbes,
  };
  if (providerProbes > 0) out.probeSuccessPercentage = (100 * passedProbes) / providerProbes;
  return out;
}
