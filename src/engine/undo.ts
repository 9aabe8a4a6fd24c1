/**
 * Undoing a ledger without the run that wrote it: the post step (and, later, the orphan sweep).
 * Every entry is handed to its provider, in parallel; what cannot be removed is reported by name.
 */
import type { Logger } from '../log.js';
import type { Provider } from '../providers/provider.js';
import type { ProviderName } from '../suite/types.js';
import { errorMessage } from '../errors.js';
import type { LedgerData } from './ledger.js';

export interface UndoSummary {
  removed: string[];
  problems: string[];
}

export async function undoLedger(
  data: LedgerData,
  provider: (name: ProviderName) => Provider,
  log: Logger,
): Promise<UndoSummary> {
  const out: UndoSummary = { removed: [], problems: [] };
  // Engines before the ChaosExperiments they run; everything else in parallel.
  const order = (e: LedgerData['entries'][number]): number =>
    e.target.type === 'kubernetes' && e.target.ref.kind === 'ChaosExperiment' ? 1 : 0;
  for (const phase of [0, 1]) {
    const batch = data.entries.filter((e) => order(e) === phase);
    const results = await Promise.all(
      batch.map(async (entry) => {
        try {
          return await provider(entry.provider).undo(entry, { runId: data.runId });
        } catch (err) {
          return { removed: [], problems: [`${entry.id}: ${errorMessage(err)}`] };
        }
      }),
    );
    for (const r of results) {
      out.removed.push(...r.removed);
      out.problems.push(...r.problems);
    }
  }
  out.removed.forEach((r) => log.info(`removed ${r}`));
  out.problems.forEach((p) => log.warning(`could not remove: ${p}`));
  return out;
}
