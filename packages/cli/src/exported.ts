import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExportResult, type FunctionConfig, type ResolvedTarget, stringifyYaml } from '@faasport/core';

/**
 * Turns an export into a `faasport.yaml` project. When the platform returned the code and a folder
 * is given, the code is written there as `<name>.zip` and the source points at it.
 *
 * @public
 */
export function exportedProject(
  exported: ExportResult,
  options: { dir?: string; target?: ResolvedTarget } = {},
): { config: FunctionConfig; yaml: string; notes: string[]; codeFile?: string } {
  let config = exported.config;
  let codeFile: string | undefined;
  if (exported.code && options.dir) {
    mkdirSync(options.dir, { recursive: true });
    codeFile = join(options.dir, `${config.name}.zip`);
    writeFileSync(codeFile, exported.code);
    config = { ...config, source: { archive: `./${config.name}.zip` } };
  }
  const project: Record<string, unknown> = { name: config.name };
  if (options.target)
    project.targets = {
      [options.target.name]: { adapter: options.target.adapter, ...options.target.options },
    };
  project.functions = [config];
  // Once the code is saved beside the config, the adapter's reminder to save it no longer applies.
  // Each note once, even when the export met the same thing twice (a service and its function).
  const notes = [...new Set(exported.notes)].filter((n) => !codeFile || !/^the code was downloaded/i.test(n));
  const comments = notes.map((n) => `# not carried over: ${n}\n`).join('');
  const from = options.target ? ` from target ${options.target.name}` : '';
  const yaml = `# exported by faasport${from}\n${comments}${stringifyYaml(project)}`;
  return { config, yaml, notes, ...(codeFile ? { codeFile } : {}) };
}
