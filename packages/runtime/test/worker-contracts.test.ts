import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { executionContractNames, executionContracts, nativeContractNames } from '../src/executor';
import { localProviderSchema } from '../src/server/functions';

// worker/contracts/contracts.json is the one list of execution contracts. The TypeScript type
// ExecutionContract is checked against it when the repository type-checks (src/executor/contracts.ts);
// these tests hold the two workers to it.
const workerDir = fileURLToPath(new URL('../worker/', import.meta.url));
const list = JSON.parse(readFileSync(`${workerDir}contracts/contracts.json`, 'utf8')).contracts as Record<
  string,
  { platform: string | null; workers: string[] }
>;
const hostedBy = (worker: string) =>
  Object.keys(list)
    .filter((name) => list[name]!.workers.includes(worker))
    .sort();

describe('the execution contract list', () => {
  it('is what the TypeScript side reads', () => {
    expect(executionContractNames).toEqual(Object.keys(list));
    expect(executionContracts).toEqual(list);
    expect(nativeContractNames).toEqual(['fc-http', 'fc-event', 'fc3-event', 'fg-event', 'lambda']);
    expect(localProviderSchema.shape.contract.unwrap().options).toEqual(nativeContractNames);
  });

  it("is the Node worker's registry: one host per contract it lists for node, no other", () => {
    // A process of its own: the worker's modules take over the console.
    const script =
      "const { hosts } = await import('./contracts/index.mjs'); process.stdout.write(JSON.stringify(Object.keys(hosts)))";
    const hosts = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: workerDir,
        encoding: 'utf8',
      }),
    ) as string[];
    expect(hosts.sort()).toEqual(hostedBy('node'));
  });

  it("is the Python worker's HOSTS: the contracts it lists for python, no other", () => {
    const hosts = JSON.parse(
      execFileSync(
        'python3',
        ['-c', 'import json, python_worker; print(json.dumps(sorted(python_worker.HOSTS)))'],
        {
          cwd: workerDir,
          encoding: 'utf8',
        },
      ),
    ) as string[];
    expect(hosts).toEqual(hostedBy('python'));
    expect(hosts).toEqual(
      executionContractNames.filter((name) => executionContracts[name].workers.includes('python')).sort(),
    );
  });
});
