/** A command's name. */
export type CommandName =
  | 'init'
  | 'dev'
  | 'serve'
  | 'plan'
  | 'deploy'
  | 'build'
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

/**
 * Every `faasport` command's one line: `faasport --help` shows it and the command's own help starts
 * with it. Listing the commands loads none of them (nor core, zod or an adapter); their modules are
 * loaded by `main.ts`, so no command module imports the table that loads it.
 */
export const commandDescriptions: Record<CommandName, string> = {
  init: 'Scaffold faasport.yaml and a handler in a folder',
  dev: 'Run a project on the bundled runtime: deploy it, watch its files, redeploy on change',
  serve: 'Run the bundled runtime only (the `local` target), until interrupted',
  plan: 'Show what a deploy would change, with capability warnings; writes nothing',
  deploy: 'Deploy the project to a target: plan, confirm, apply step by step, print the URLs',
  build: "Build each function's container image without Docker and push it to the target's registry",
  render:
    "Print a target's manifests or API request bodies (Knative YAML, FC / FunctionGraph JSON); offline, no credentials",
  invoke: 'Call a deployed function and print its response',
  logs: "Print a function's logs; --follow streams new lines until interrupted",
  ls: "List the functions deployed on a target, with each revision's traffic and URLs",
  rm: 'Remove a deployed function and everything faasport made for it',
  traffic: 'Split traffic between revisions of a deployed function',
  rollout: 'Shift traffic to a revision step by step, checking health; rolls back on failure',
  publish: "Send a CloudEvent to the bundled runtime's broker, or messages to one of its topics",
  export: 'Write a live function back as faasport.yaml (and its code), for migration or adoption',
  import: 'Convert a Knative Service YAML, an OpenFunction Function or a func.yaml into faasport.yaml',
  migrate:
    "Move a function between targets: export, check against the destination, report what doesn't carry over, deploy",
  emulate: "Run a cloud's API emulator (kubernetes, fc, functiongraph) for offline tests, until interrupted",
};

/** The `meta` of a command, its description taken from the catalog. */
export const commandMeta = (name: CommandName): { name: string; description: string } => ({
  name,
  description: commandDescriptions[name],
});
