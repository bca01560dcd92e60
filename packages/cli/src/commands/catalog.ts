import type { FaasportCommand } from '../command';

/**
 * Every `faasport` command: its one-line description and how to load it. `faasport --help` reads the
 * descriptions from here, so listing the commands loads none of them (nor core, zod or an adapter).
 */
/** A command's name. */
export type CommandName =
  | 'init'
  | 'dev'
  | 'serve'
  | 'plan'
  | 'deploy'
  | 'render'
  | 'invoke'
  | 'logs'
  | 'ls'
  | 'rm'
  | 'traffic'
  | 'rollout'
  | 'publish'
  | 'export'
  | 'import'
  | 'migrate'
  | 'emulate';

/** A command in the catalog. */
export interface CatalogEntry {
  /** The one line `faasport --help` shows, and the command's own help starts with. */
  description: string;
  /** Imports the command's module. */
  load: () => Promise<{ default: FaasportCommand<any> }>;
}

export const commandCatalog: Record<CommandName, CatalogEntry> = {
  init: {
    description: 'Scaffold faasport.yaml and a handler in a folder',
    load: () => import('./init'),
  },
  dev: {
    description: 'Run a project on the bundled runtime: deploy it, watch its files, redeploy on change',
    load: () => import('./dev'),
  },
  serve: {
    description: 'Run the bundled runtime only (the `local` target), until interrupted',
    load: () => import('./serve'),
  },
  plan: {
    description: 'Show what a deploy would change, with capability warnings; writes nothing',
    load: () => import('./plan'),
  },
  deploy: {
    description: 'Deploy the project to a target: plan, confirm, apply step by step, print the URLs',
    load: () => import('./deploy'),
  },
  render: {
    description:
      "Print a target's manifests or API request bodies (Knative YAML, FC / FunctionGraph JSON); offline, no credentials",
    load: () => import('./render'),
  },
  invoke: {
    description: 'Call a deployed function and print its response',
    load: () => import('./invoke'),
  },
  logs: {
    description: "Print a function's logs; --follow streams new lines until interrupted",
    load: () => import('./logs'),
  },
  ls: {
    description: "List the functions deployed on a target, with each revision's traffic and URLs",
    load: () => import('./ls'),
  },
  rm: {
    description: 'Remove a deployed function and everything faasport made for it',
    load: () => import('./rm'),
  },
  traffic: {
    description: 'Split traffic between revisions of a deployed function',
    load: () => import('./traffic'),
  },
  rollout: {
    description: 'Shift traffic to a revision step by step, checking health; rolls back on failure',
    load: () => import('./rollout'),
  },
  publish: {
    description: "Send a CloudEvent to the bundled runtime's broker, or messages to one of its topics",
    load: () => import('./publish'),
  },
  export: {
    description: 'Write a live function back as faasport.yaml (and its code), for migration or adoption',
    load: () => import('./export'),
  },
  import: {
    description: 'Convert a Knative Service YAML, an OpenFunction Function or a func.yaml into faasport.yaml',
    load: () => import('./import'),
  },
  migrate: {
    description:
      "Move a function between targets: export, check against the destination, report what doesn't carry over, deploy",
    load: () => import('./migrate'),
  },
  emulate: {
    description:
      "Run a cloud's API emulator (kubernetes, fc, functiongraph) for offline tests, until interrupted",
    load: () => import('./emulate'),
  },
};

/** The `meta` of a command, its description taken from the catalog. */
export const commandMeta = (name: CommandName): { name: string; description: string } => ({
  name,
  description: commandCatalog[name].description,
});
