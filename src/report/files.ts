/**
 * The report files of a run: the JSON report at `report-path` (always) and the JUnit XML at
 * `junit-path` (when set), relative to the workspace. A file that cannot be written is a
 * warning: it never changes the verdict.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Logger } from '../log.js';
import type { RunReport } from '../pipeline.js';
import type { Suite } from '../suite/model.js';
import { buildJsonReport } from './json.js';
import { renderJunit } from './junit.js';

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

export async function writeReportFiles(
  suite: Pick<Suite, 'name' | 'file'>,
  report: RunReport,
  inputs: Pick<Inputs, 'reportPath' | 'junitPath' | 'environment'>,
  cwd: string,
  log: Logger,
  extra: Record<string, unknown> = {},
): Promise<{ json?: string; junit?: string }> {
  const out: { json?: string; junit?: string } = {};
  const json = path.resolve(cwd, inputs.reportPath);
  try {
    const data = {
      ...buildJsonReport(suite, report, { environment: inputs.environment }),
      ...extra,
    };
    await write(json, JSON.stringify(data, null, 2) + '\n');
    out.json = json;
  } catch (err) {
    log.warning(`chaos-gate could not write the JSON report ${json}: ${errorMessage(err)}`);
  }
  if (inputs.junitPath) {
    const junit = path.resolve(cwd, inputs.junitPath);
    try {
      await write(
        junit,
        renderJunit({ suite: suite.name, environment: inputs.environment, report }),
      );
      out.junit = junit;
    } catch (err) {
      log.warning(`chaos-gate could not write the JUnit report ${junit}: ${errorMessage(err)}`);
    }
  }
  return out;
}
