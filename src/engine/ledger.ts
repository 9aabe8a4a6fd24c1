/**
 * The ledger: everything this run created that may still be injecting chaos. An entry is written
 * *before* the create call (its name is deterministic), so a run killed between the request and
 * the answer still leaves a trace, and it is removed once the object is confirmed gone.
 * Every change is saved at once to the action's state (for the post step) and to a file under
 * RUNNER_TEMP (for a SIGTERM handler, and for the CLI).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ObjectRef } from '../kube/resources.js';
import { isRecord } from '../kube/object.js';
import type { ProviderName } from '../suite/types.js';

export interface KubeLedgerTarget {
  type: 'kubernetes';
  ref: ObjectRef;
  /** Known once the create call answered. */
  uid?: string;
}

export interface FisLedgerTarget {
  type: 'fis';
  templateId: string;
  /** The StartExperiment client token: a retried start returns the same experiment. */
  clientToken: string;
  region: string;
  /** Known once StartExperiment answered. */
  experimentId?: string;
}

export type LedgerTarget = KubeLedgerTarget | FisLedgerTarget;

export interface LedgerEntry {
  /** Stable key: provider, kind, namespace and name. */
  id: string;
  provider: ProviderName;
  experiment: string;
  target: LedgerTarget;
  /** `creating`: the request was sent; `created`: the server answered with the object. */
  state: 'creating' | 'created';
  createdAt: string;
}

export interface LedgerData {
  version: 1;
  runId: string;
  entries: LedgerEntry[];
}

/** What changed: an entry added (before its create), confirmed (uid known), or removed. */
export type LedgerChange = 'add' | 'created' | 'remove';

/** Where the ledger is saved on every change. */
export type LedgerSink = (data: LedgerData, change: LedgerChange) => void;

export function ledgerId(provider: ProviderName, ref: ObjectRef): string {
  return `${provider}:${ref.kind}:${ref.namespace}/${ref.name}`;
}

export class Ledger {
  private readonly items = new Map<string, LedgerEntry>();

  constructor(
    readonly runId: string,
    private readonly sinks: LedgerSink[] = [],
    initial: LedgerEntry[] = [],
  ) {
    for (const e of initial) this.items.set(e.id, e);
  }

  entries(): LedgerEntry[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }

  add(entry: Omit<LedgerEntry, 'id' | 'createdAt' | 'state'>): LedgerEntry {
    const id =
      entry.target.type === 'kubernetes'
        ? ledgerId(entry.provider, entry.target.ref)
        : `${entry.provider}:${entry.experiment}:${entry.target.clientToken}`;
    const full: LedgerEntry = {
      ...entry,
      id,
      state: 'creating',
      createdAt: new Date().toISOString(),
    };
    this.items.set(id, full);
    this.save('add');
    return full;
  }

  created(id: string, uid?: string): void {
    const e = this.items.get(id);
    if (!e) return;
    e.state = 'created';
    if (uid && e.target.type === 'kubernetes') e.target.uid = uid;
    if (uid && e.target.type === 'fis') e.target.experimentId = uid;
    this.save('created');
  }

  remove(id: string): void {
    if (this.items.delete(id)) this.save('remove');
  }

  data(): LedgerData {
    return { version: 1, runId: this.runId, entries: this.entries() };
  }

  private save(change: LedgerChange): void {
    const data = this.data();
    for (const sink of this.sinks) sink(data, change);
  }
}

/**
 * Writes the ledger to a file atomically (write, then rename), so a reader never sees half of it.
 * Synchronous on purpose: the entry is on disk before the create request leaves.
 */
export function fileSink(path: string): LedgerSink {
  let dirReady = false;
  return (data) => {
    if (!dirReady) mkdirSync(dirname(path), { recursive: true });
    dirReady = true;
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(data) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  };
}

/**
 * The copy in the action's state (`core.saveState` appends the whole value to GITHUB_STATE each
 * time): the post step's fallback when the ledger file cannot be read. It is refreshed when an
 * entry comes or goes, not when one is only confirmed (the uid, which the file has): a third
 * fewer appends of a file the runner parses after the step (2.4 MB for 200 experiments before).
 */
export function stateSink(save: (value: string) => void): LedgerSink {
  return (data, change) => {
    if (change !== 'created') save(JSON.stringify(data));
  };
}

export function ledgerFile(dir: string, runId: string): string {
  return join(dir, `chaos-gate-${runId}.ledger.json`);
}

/** Parses a saved ledger; undefined when absent, throws on a ledger that cannot be read. */
export function parseLedger(text: string | undefined): LedgerData | undefined {
  if (!text || !text.trim()) return undefined;
  const v: unknown = JSON.parse(text);
  if (!isRecord(v) || v.version !== 1 || typeof v.runId !== 'string' || !Array.isArray(v.entries))
    throw new Error('the saved ledger is not one chaos-gate wrote');
  const entries = v.entries.filter(isLedgerEntry);
  return { version: 1, runId: v.runId, entries };
}

export function readLedgerFile(path: string): LedgerData | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseLedger(text);
}

function isLedgerEntry(v: unknown): v is LedgerEntry {
  if (!isRecord(v) || typeof v.id !== 'string' || typeof v.experiment !== 'string') return false;
  const t = v.target;
  if (isRecord(t) && t.type === 'fis')
    return ['templateId', 'clientToken', 'region'].every((k) => typeof t[k] === 'string');
  if (!isRecord(t) || t.type !== 'kubernetes' || !isRecord(t.ref)) return false;
  const r = t.ref;
  return ['group', 'version', 'plural', 'kind', 'namespace', 'name'].every(
    (k) => typeof r[k] === 'string',
  );
}
