import type { FaasportCommand } from './command';

const lazy = (load: () => Promise<{ default: FaasportCommand<any> }>) => () => load().then((m) => m.default);

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
  subCommands: {
    init: lazy(() => import('./commands/init')),
    dev: lazy(() => import('./commands/dev')),
    serve: lazy(() => import('./commands/serve')),
    plan: lazy(() => import('./commands/plan')),
    deploy: lazy(() => import('./commands/deploy')),
    render: lazy(() => import('./commands/render')),
    invoke: lazy(() => import('./commands/invoke')),
    logs: lazy(() => import('./commands/logs')),
    ls: lazy(() => import('./commands/ls')),
    rm: lazy(() => import('./commands/rm')),
    traffic: lazy(() => import('./commands/traffic')),
    rollout: lazy(() => import('./commands/rollout')),
    publish: lazy(() => import('./commands/publish')),
    export: lazy(() => import('./commands/export')),
    import: lazy(() => import('./commands/import')),
    migrate: lazy(() => import('./commands/migrate')),
    emulate: lazy(() => import('./commands/emulate')),
  },
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
