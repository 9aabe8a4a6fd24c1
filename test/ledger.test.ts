/**
 * The ledger of what this run created (SPEC section 8): saved on every change, so the post step
 * and a SIGTERM handler know what may still be injecting chaos.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Ledger,
  fileSink,
  stateSink,
  ledgerFile,
  ledgerId,
  parseLedger,
  readLedgerFile,
  type LedgerData,
} from '../src/engine/ledger.js';
import { ChaosEngine } from '../src/kube/resources.js';
import type { ObjectRef } from '../src/kube/resources.js';
import { workdir, type Workdir } from './support/workdir.js';

const RUN = 'gh-1234-1';
const engineRef: ObjectRef = { ...ChaosEngine, namespace: 'shop', name: 'pod-delete-abcde' };
const meshRef: ObjectRef = {
  group: 'chaos-mesh.org',
  version: 'v1alpha1',
  plural: 'networkchaos',
  kind: 'NetworkChaos',
  namespace: 'shop',
  name: 'payments-delay-abcde',
};

/** A sink that keeps a copy of every save. */
function recorder(): { saves: LedgerData[]; sink: (d: LedgerData) => void } {
  const saves: LedgerData[] = [];
  return { saves, sink: (d) => saves.push(structuredClone(d)) };
}

describe('Ledger', () => {
  test('add saves at once, in state creating, with the full data', () => {
    const a = recorder();
    const b = recorder();
    const ledger = new Ledger(RUN, [a.sink, b.sink]);
    const e = ledger.add({
      provider: 'litmus',
      experiment: 'checkout-pod-delete',
      target: { type: 'kubernetes', ref: engineRef },
    });
    expect(e.id).toBe('litmus:ChaosEngine:shop/pod-delete-abcde');
    expect(e.id).toBe(ledgerId('litmus', engineRef));
    expect(e.state).toBe('creating');
    expect(Number.isNaN(Date.parse(e.createdAt))).toBe(false);
    for (const r of [a, b]) {
      expect(r.saves).toHaveLength(1);
      expect(r.saves[0]).toEqual({ version: 1, runId: RUN, entries: [e] });
    }
  });

  test('created and remove save every time, each save holding every entry', () => {
    const r = recorder();
    const ledger = new Ledger(RUN, [r.sink]);
    const e1 = ledger.add({
      provider: 'litmus',
      experiment: 'checkout-pod-delete',
      target: { type: 'kubernetes', ref: engineRef },
    });
    const e2 = ledger.add({
      provider: 'chaos-mesh',
      experiment: 'payments-latency',
      target: { type: 'kubernetes', ref: meshRef },
    });
    ledger.created(e1.id, 'uid-1');
    ledger.remove(e2.id);
    ledger.remove(e1.id);

    expect(r.saves).toHaveLength(5);
    expect(r.saves.map((s) => s.entries.map((e) => `${e.experiment}:${e.state}`))).toEqual([
      ['checkout-pod-delete:creating'],
      ['checkout-pod-delete:creating', 'payments-latency:creating'],
      ['checkout-pod-delete:created', 'payments-latency:creating'],
      ['checkout-pod-delete:created'],
      [],
    ]);
    expect(r.saves[2]!.entries[0]!.target).toMatchObject({ type: 'kubernetes', uid: 'uid-1' });
    expect(r.saves.every((s) => s.runId === RUN && s.version === 1)).toBe(true);
    expect(ledger.size).toBe(0);
  });

  test('unknown ids change nothing and save nothing', () => {
    const r = recorder();
    const ledger = new Ledger(RUN, [r.sink]);
    ledger.created('litmus:ChaosEngine:shop/nope');
    ledger.remove('litmus:ChaosEngine:shop/nope');
    expect(r.saves).toEqual([]);
  });

  test('adding the same object twice keeps one entry', () => {
    const ledger = new Ledger(RUN);
    const entry = {
      provider: 'litmus' as const,
      experiment: 'x',
      target: { type: 'kubernetes' as const, ref: engineRef },
    };
    ledger.add(entry);
    ledger.add(entry);
    expect(ledger.size).toBe(1);
  });

  test('a ledger restored from saved entries knows them', () => {
    const saved = new Ledger(RUN);
    saved.add({
      provider: 'litmus',
      experiment: 'x',
      target: { type: 'kubernetes', ref: engineRef },
    });
    const r = recorder();
    const restored = new Ledger(RUN, [r.sink], saved.entries());
    expect(restored.entries()).toEqual(saved.entries());
    restored.remove(ledgerId('litmus', engineRef));
    expect(r.saves).toEqual([{ version: 1, runId: RUN, entries: [] }]);
  });
});

describe('stateSink', () => {
  test('the state copy follows entries coming and going, not their confirmation', () => {
    const saved: string[] = [];
    const ledger = new Ledger(RUN, [stateSink((v) => saved.push(v))]);
    const e = ledger.add({
      provider: 'litmus',
      experiment: 'x',
      target: { type: 'kubernetes', ref: engineRef },
    });
    expect(saved).toHaveLength(1);
    expect(JSON.parse(saved[0]!)).toEqual(ledger.data());
    ledger.created(e.id, 'uid-1');
    expect(saved).toHaveLength(1);
    ledger.remove(e.id);
    expect(saved).toHaveLength(2);
    expect(JSON.parse(saved[1]!)).toEqual({ version: 1, runId: RUN, entries: [] });
  });
});

describe('fileSink and readLedgerFile', () => {
  let wd: Workdir;
  beforeEach(() => {
    wd = workdir('chaos-gate-ledger-');
  });
  afterEach(() => wd.remove());

  test('every change is written to the file and reads back the same', () => {
    const file = ledgerFile(path.join(wd.dir, 'nested', 'dir'), RUN);
    expect(path.basename(file)).toBe(`chaos-gate-${RUN}.ledger.json`);
    const ledger = new Ledger(RUN, [fileSink(file)]);
    const e = ledger.add({
      provider: 'litmus',
      experiment: 'checkout-pod-delete',
      target: { type: 'kubernetes', ref: engineRef },
    });
    expect(readLedgerFile(file)).toEqual(ledger.data());
    ledger.created(e.id, 'uid-1');
    const back = readLedgerFile(file);
    expect(back?.entries[0]?.state).toBe('created');
    expect(back?.entries[0]?.target).toMatchObject({ uid: 'uid-1' });
    ledger.remove(e.id);
    expect(readLedgerFile(file)).toEqual({ version: 1, runId: RUN, entries: [] });
  });

  test('atomic: only the ledger file is left (no temporary file), readable by the owner only', () => {
    const file = ledgerFile(wd.dir, RUN);
    const sink = fileSink(file);
    const ledger = new Ledger(RUN, [sink]);
    ledger.add({
      provider: 'litmus',
      experiment: 'x',
      target: { type: 'kubernetes', ref: engineRef },
    });
    ledger.add({
      provider: 'chaos-mesh',
      experiment: 'y',
      target: { type: 'kubernetes', ref: meshRef },
    });
    expect(readdirSync(wd.dir)).toEqual([path.basename(file)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(ledger.data());
  });

  test('a missing file reads as no ledger', () => {
    const file = path.join(wd.dir, 'absent.json');
    expect(existsSync(file)).toBe(false);
    expect(readLedgerFile(file)).toBeUndefined();
  });

  test('a malformed file throws', () => {
    const file = wd.write('bad.json', '{"version":1,"runId":');
    expect(() => readLedgerFile(file)).toThrow();
  });

  test('an empty file reads as no ledger', () => {
    const file = path.join(wd.dir, 'empty.json');
    writeFileSync(file, '  \n');
    expect(readLedgerFile(file)).toBeUndefined();
  });
});

describe('parseLedger', () => {
  const good = {
    id: 'litmus:ChaosEngine:shop/pod-delete-abcde',
    provider: 'litmus',
    experiment: 'checkout-pod-delete',
    target: { type: 'kubernetes', ref: engineRef, uid: 'u1' },
    state: 'created',
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  test.each([
    ['not JSON', 'ledger'],
    ['truncated JSON', '{"version":1,'],
    ['a list', '[]'],
    ['another version', JSON.stringify({ version: 2, runId: RUN, entries: [] })],
    ['no run id', JSON.stringify({ version: 1, entries: [] })],
    ['entries not a list', JSON.stringify({ version: 1, runId: RUN, entries: {} })],
  ])('%s -> throws', (_what, text) => {
    expect(() => parseLedger(text)).toThrow();
  });

  test.each([undefined, '', '   '])('%j -> no ledger', (text) => {
    expect(parseLedger(text)).toBeUndefined();
  });

  test('unknown entry shapes are dropped, good ones kept', () => {
    const text = JSON.stringify({
      version: 1,
      runId: RUN,
      entries: [
        good,
        { ...good, id: 42 },
        { ...good, experiment: undefined },
        { ...good, target: { type: 'aws-fis', experimentId: 'EXP123' } },
        { ...good, target: { type: 'kubernetes', ref: { ...engineRef, name: undefined } } },
        { ...good, target: { type: 'kubernetes' } },
        'litmus:ChaosEngine:shop/x',
        null,
      ],
    });
    expect(parseLedger(text)).toEqual({ version: 1, runId: RUN, entries: [good] });
  });
});
