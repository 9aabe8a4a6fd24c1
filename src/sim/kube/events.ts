/**
 * core/v1 Events, as client-go's event recorder writes them for a controller: one Event per
 * (object, type, reason, message), named `<object>.<hex timestamp>`, with `count` and
 * `lastTimestamp` bumped when the same event repeats (client-go's EventCorrelator aggregates the
 * same way). Nothing is written when the store serves no `events` resource.
 */
import type { KubeObject } from '../../kube/object.js';
import { isoTime } from './meta.js';
import type { ObjectStore } from './store.js';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  private readonly seen = new Map<string, string>();
  private counter = 0n;

  constructor(
    private readonly store: ObjectStore,
    private readonly component: string,
  ) {}

  /** Records an event on `involved`; `component` overrides the recorder's (`source.component`). */
  event(
    involved: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    component = this.component,
  ): void {
    const events = this.store.resource('', 'events');
    const namespace = involved.metadata.namespace ?? 'default';
    const name = involved.metadata.name ?? '';
    if (!events) return;
    const key = [involved.metadata.uid ?? name, type, reason, message, component].join('\u0000');
    const existing = this.seen.get(key);
    const now = isoTime();
    if (existing) {
      const cur = this.store.get(events, namespace, existing);
      if (cur) {
        cur.count = (typeof cur.count === 'number' ? cur.count : 1) + 1;
        cur.lastTimestamp = now;
        this.store.update(events, namespace, existing, cur);
        return;
      }
    }
    const eventName = `${name}.${(BigInt(Date.now()) * 1_000_000n + this.counter++).toString(16)}`;
    this.store.create(events, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name,
        namespace: involved.metadata.namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      reportingInstance: '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.seen.set(key, eventName);
  }
}
