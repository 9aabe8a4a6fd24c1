/**
 * Per-run behaviour for the simulated controllers, chosen by object-name prefix: chaos-gate
 * appends a run suffix to every name it creates, so a test registers the suite's name
 * (`scenario('checkout-latency', {...})`) and every run of it matches. The longest matching
 * prefix wins; the empty prefix is the default.
 */
export class ScenarioBook<T extends object> {
  private readonly byPrefix = new Map<string, T>();

  set(prefix: string, scenario: T): void {
    this.byPrefix.set(prefix, scenario);
  }

  match(name: string): Partial<T> {
    let best: T | undefined;
    let bestLength = -1;
    for (const [prefix, s] of this.byPrefix) {
      if (name.startsWith(prefix) && prefix.length > bestLength) {
        best = s;
        bestLength = prefix.length;
      }
    }
    return best ?? {};
  }
}
