import type { FaasportCommand } from './command';
import { commandCatalog } from './commands/catalog';

/**
 * The `faasport` command. Sub-commands load on first use, so `faasport --help` and a single
 * command start fast and an adapter's dependencies load only when a target needs them.
 *
 * @public
 */
export const mainCommand: FaasportCommand = {
  meta: {
    name: 'faasport',
    description:
      'One function model, every FaaS: deploy, invoke, split traffic, import and migrate serverless functions.',
  },
  subCommands: Object.fromEntries(
    Object.entries(commandCatalog).map(([name, entry]) => [name, () => entry.load().then((m) => m.default)]),
  ),
  summaries: Object.fromEntries(
    Object.entries(commandCatalog).map(([name, entry]) => [name, entry.description]),
  ),
  groups: [
    ['Develop', ['init', 'dev', 'serve']],
    ['Deploy', ['plan', 'deploy', 'render']],
    ['Operate', ['invoke', 'publish', 'logs', 'ls', 'rm', 'traffic', 'rollout']],
    ['Move', ['export', 'import', 'migrate']],
    ['Test', ['emulate']],
  ],
  examples: [
    ['faasport init', 'scaffold faasport.yaml and a handler in this folder'],
    ['faasport dev examples/hello', 'run a project on the bundled runtime, redeploying on change'],
    ['faasport plan --target prod', 'show what a deploy would change'],
    ['faasport deploy --target prod --yes', 'deploy without asking'],
    ['faasport traffic hello v1=90 v2=10', 'split traffic between two revisions'],
  ],
};
