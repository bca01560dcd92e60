import { readFileSync, writeFileSync } from 'node:fs';
import { fcCapabilities } from '@faasport/adapter-fc';
import { functionGraphCapabilities } from '@faasport/adapter-functiongraph';
import { knativeCapabilities } from '@faasport/adapter-knative';
import {
  type Capabilities,
  capabilityTable,
  capabilityTableMarkers,
  withCapabilityTable,
} from '@faasport/core';
import { localCapabilities } from '@faasport/runtime';
import { describe, expect, it } from 'vitest';
// The capabilities module alone: the adapter's index also loads the AWS SDK clients.
import { fc3Capabilities } from '../packages/adapter-fc3/src/limits';
import { lambdaCapabilities } from '../packages/adapter-lambda/src/deploy/capabilities';

// Each adapter page's capability table is generated from what the adapter declares. This test fails
// when a page drifts from the code; `npm run docs:capabilities` runs it in write mode to fix the pages.
const write = process.env.FAASPORT_WRITE_CAPABILITY_DOCS === '1';

const pages: Array<[page: string, capabilities: Capabilities]> = [
  ['docs/adapters/fc.md', fcCapabilities],
  ['docs/adapters/fc3.md', fc3Capabilities],
  ['docs/adapters/functiongraph.md', functionGraphCapabilities],
  ['docs/adapters/knative.md', knativeCapabilities],
  ['docs/adapters/lambda.md', lambdaCapabilities],
  ['docs/adapters/local.md', localCapabilities],
];

describe('capability tables in docs/adapters', () => {
  for (const [page, capabilities] of pages) {
    it(`${page} shows the capabilities its adapter declares`, () => {
      const url = new URL(`../${page}`, import.meta.url);
      const text = readFileSync(url, 'utf8');
      const wanted = withCapabilityTable(text, capabilityTable(capabilities));
      expect(
        wanted,
        `${page} needs the lines ${capabilityTableMarkers.start} and ${capabilityTableMarkers.end}`,
      ).toBeDefined();
      if (write) {
        if (wanted !== text) writeFileSync(url, wanted!);
        return;
      }
      expect(text, `${page} drifted from the adapter's capabilities: run \`npm run docs:capabilities\``).toBe(
        wanted,
      );
    });
  }
});
