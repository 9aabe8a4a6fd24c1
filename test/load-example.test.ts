import path from 'node:path';
import { loadSuite } from '../src/suite/load.js';

const root = path.resolve(import.meta.dirname, '..');

describe('the example suite', () => {
  test('loads with every experiment, manifest and reference resolved', () => {
    const suite = loadSuite('examples/checkout/suite.yml', {
      env: {},
      cwd: root,
      environment: 'staging',
    });
    expect(suite.name).toBe('checkout');
    expect(suite.experiments.map((e) => e.name)).toEqual([
      'checkout-pod-delete',
      'payments-latency',
      'cart-pod-kill',
      'storefront-delay-checked',
      'az-power-interruption',
    ]);
    const litmus = suite.experiments[0]!;
    expect(litmus.objects.map((o) => o.object.kind)).toEqual(['ChaosExperiment', 'ChaosEngine']);
    expect(litmus.objects.every((o) => o.object.metadata.namespace === 'shop')).toBe(true);
    expect(litmus.plan.durationMs).toBe(30_000);
    expect(suite.prometheus.url).toBe('http://prometheus.monitoring.svc:9090');
  });
});
