import type { FaasportCommand } from './command';
import { type CommandName, commandDescriptions } from './commands/catalog';

/** How to load each command's module: on first use only. */
const commandLoaders: Record<CommandName, () => Promise<{ default: FaasportCommand<any> }>> = {
  init: () => import('./commands/init'),
  dev: () => import('./commands/dev'),
  serve: () => import('./commands/serve'),
  plan: () => import('./commands/plan'),
  deploy: () => import('./commands/deploy'),
  build: () => import('./commands/build'),
  render: () => import('./commands/render'),
  invoke: () => import('./commands/invoke'),
  logs: () => import('./commands/logs'),
  ls: () => import('./commands/ls'),
  rm: () => import('./commands/rm'),
  traffic: () => import('./commands/traffic'),
  rollout: () => import('./commands/rollout'),
  publish: () => import('./commands/publish'),
  export: () => import('./commands/export'),
  import: () => import('./commands/import'),
  migrate: () => import('./commands/migrate'),
  emulate: () => import('./commands/emulate'),
};

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
    Object.entries(commandLoaders).map(([name, load]) => [name, () => load().then((m) => m.default)]),
  ),
  summaries: commandDescriptions,
  groups: [
    ['Develop', ['init', 'dev', 'serve']],
    ['Deploy', ['plan', 'deploy', 'build', 'render']],
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
