import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli.js';
import { ROOT } from './support/runner.js';
import { podKill, workdir, type Workdir } from './support/workdir.js';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

async function cli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = sink();
  const err = sink();
  const code = await main(argv, { out, err, env, cwd });
  return { code, out: out.text, err: err.text };
}

let wd: Workdir;
beforeAll(() => {
  wd = workdir();
  wd.write('kill.yaml', podKill('kill'));
  wd.write(
    'suite.yml',
    [
      'version: 1',
      'name: cli',
      'safety: { namespaces: [shop], environments: [staging] }',
      'experiments:',
      '  - { name: kill, provider: chaos-mesh, manifest: kill.yaml, tags: [smoke] }',
      '',
    ].join('\n'),
  );
  wd.write('bad.yml', ['version: 1', 'name: cli', 'experiment: []', ''].join('\n'));
});
afterAll(() => wd.remove());

describe('chaos-gate CLI', () => {
  test('validate: a good suite exits 0 with a one-line summary', async () => {
    const r = await cli(['validate', '--suite', 'suite.yml'], wd.dir);
    expect(r).toEqual({
      code: 0,
      out: 'suite.yml: suite "cli" is valid: 1 experiment (chaos-mesh 1), 0 probes, 0 SLOs; 1 selected.\n',
      err: '',
    });
  });

  test('validate: a bad suite exits 2 with file:line:column on stderr', async () => {
    const r = await cli(['validate', '--suite', 'bad.yml'], wd.dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.yml:3:1: unknown key `experiment`: did you mean `experiments`?');
    expect(r.err).toContain('bad.yml:1:1: the suite is missing the required key `experiments`');
    expect(r.err).toContain('nothing was injected');
    expect(r.out).toBe('');
  });

  test('plan --json gives the machine-readable plan', async () => {
    const r = await cli(['plan', '--suite', 'suite.yml', '--json', '--timeout', '5m'], wd.dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      suite: 'cli',
      maxParallel: 1,
      worstCaseMs: 600_000,
      runTimeoutMs: 300_000,
      notSelected: [],
      steps: [
        {
          name: 'kill',
          provider: 'chaos-mesh',
          kind: 'PodChaos pod-kill',
          targets: ['pods in shop labelled app=cart (mode one)'],
          durationMs: null,
          timeoutMs: 600_000,
          slot: 1,
          startMs: 0,
          worstMs: 600_000,
        },
      ],
    });
  });

  test('flags named like the inputs are checked like the inputs', async () => {
    expect(
      (await cli(['plan', '--suite', 'suite.yml', '--environment', 'prod'], wd.dir)).err,
    ).toContain('environment `prod` is not in safety.environments (staging)');
    expect(
      (await cli(['plan', '--suite', 'suite.yml', '--experiments', 'tag:nope'], wd.dir)).code,
    ).toBe(2);
    expect(
      (await cli(['plan', '--suite', 'suite.yml', '--fail-on', 'maybe'], wd.dir)).err,
    ).toContain("Invalid input 'fail-on': 'maybe'");
  });

  test.each([
    [[], 'a command is required'],
    [['valdiate'], 'unknown command `valdiate`: did you mean `validate`?'],
    [['plan', '--suit', 'x'], "Unknown option '--suit'"],
    [['plan', '--suit', 'x'], 'did you mean `--suite`?'],
    [['plan', 'extra', 'words'], 'unexpected arguments: extra words'],
  ])('usage error %j exits 2', async (argv, message) => {
    const r = await cli(argv, wd.dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('Usage: chaos-gate <command>');
  });

  test('--help prints usage and exits 0', async () => {
    const r = await cli(['--help'], wd.dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'Exit codes: 0 success, 1 verdict failed, 2 configuration or usage error',
    );
  });

  test('run with a kubeconfig that does not exist exits 2 and names it: nothing is injected', async () => {
    const r = await cli(['run', '--suite', 'suite.yml', '--kubeconfig', 'missing.yaml'], wd.dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'the kubeconfig input is neither kubeconfig YAML nor an existing file: missing.yaml',
    );
  });

  test('the bundled dist/cli.js behaves the same as a process (exit codes included)', () => {
    const bin = path.join(ROOT, 'dist/cli.js');
    const ok = spawnSync(process.execPath, [bin, 'validate', '--suite', 'suite.yml'], {
      cwd: wd.dir,
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('suite "cli" is valid');
    const bad = spawnSync(process.execPath, [bin, 'validate', '--suite', 'bad.yml'], {
      cwd: wd.dir,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('bad.yml:3:1: unknown key `experiment`');
  });
});
