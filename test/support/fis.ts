/**
 * A loopback AWS FIS for integration tests: the simulated FIS server (REST-JSON, answers checked
 * against the Smithy model) with the templates the run suite names, and the real SDK client
 * pointed at it.
 */
import { createFisApi, type FisApi } from '../../src/aws/fis.js';
import { startFisServer, type FisServer } from '../../src/sim/fis/server.js';

export interface TestFis {
  server: FisServer;
  api: FisApi;
  close(): Promise<void>;
}

export const CREDENTIALS = { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' };

export async function startFis(opts: { timeScale?: number } = {}): Promise<TestFis> {
  const server = await startFisServer({ timeScale: opts.timeScale ?? 0.002, region: 'eu-west-1' });
  const tagged = { Environment: 'staging' };
  for (const [id, outcome] of [
    ['EXTcompleted01', 'completed'],
    ['EXTalarm01', 'stopped-by-alarm'],
    ['EXTfailed01', 'failed'],
    ['EXTcancelled01', 'cancelled'],
    ['EXThang01', 'hang'],
  ] as const) {
    server.addTemplate({ id, tags: { ...tagged, Name: id } });
    server.scenario(id, {
      outcome,
      ...(outcome === 'failed'
        ? { errorCode: 'InvalidTarget', reason: 'Target resolution failed' }
        : {}),
    });
  }
  server.addTemplate({ id: 'EXTaz01', tags: { ...tagged, Name: 'az-outage' } });
  server.addTemplate({ id: 'EXTuntagged01', tags: { Name: 'untagged' } });
  server.addTemplate({
    id: 'EXTnostop01',
    tags: { ...tagged, Name: 'nostop' },
    stopConditions: [{ source: 'none' }],
  });
  const api = createFisApi({
    region: 'eu-west-1',
    endpoint: server.url,
    stsEndpoint: server.url,
    credentials: CREDENTIALS,
    maxAttempts: 4,
  });
  return {
    server,
    api,
    async close() {
      api.close();
      await server.close();
    },
  };
}
