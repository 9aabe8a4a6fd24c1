/**
 * The main thread's handle on the simulated cluster of ./sim-worker.ts: starts the worker (this
 * same bundle, which branches on `isMainThread`), and asks it for what it recorded.
 */
import { Worker } from 'node:worker_threads';
import type { Collected, SimReply, SimRequest, SimWorkerData } from './sim-worker.js';

export class SimCluster {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: Collected | undefined) => void; reject: (e: Error) => void }
  >();

  private constructor(
    private readonly worker: Worker,
    /** `http://127.0.0.1:<port>` */
    readonly url: string,
    /** A kubeconfig (YAML) for the server. */
    readonly kubeconfig: string,
  ) {
    worker.on('message', (msg: SimReply) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(`simulator: ${msg.error}`));
    });
    worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Starts the simulator in a worker thread running `bundle` (this bundle's own file). */
  static start(bundle: URL, data: Omit<SimWorkerData, 'role'>): Promise<SimCluster> {
    const worker = new Worker(bundle, {
      workerData: { role: 'sim', ...data } satisfies SimWorkerData,
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      worker.once('error', onError);
      worker.once('exit', (code) => reject(new Error(`the simulator exited with code ${code}`)));
      worker.on('message', function ready(msg: SimReply) {
        if (!('op' in msg) || msg.op !== 'ready') return;
        worker.off('message', ready);
        worker.off('error', onError);
        worker.removeAllListeners('exit');
        resolve(new SimCluster(worker, msg.url, msg.kubeconfig));
      });
    });
  }

  private call(op: SimRequest['op']): Promise<Collected | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op } satisfies SimRequest);
    });
  }

  /** What happened since the last call: marks per experiment, requests, leftovers, errors. */
  async collect(): Promise<Collected> {
    const v = await this.call('collect');
    if (!v) throw new Error('simulator: collect answered nothing');
    return v;
  }

  async close(): Promise<void> {
    await this.call('close');
    await this.worker.terminate();
  }
}
