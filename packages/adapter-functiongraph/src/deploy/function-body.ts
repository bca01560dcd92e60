/**
 * The function's create and update bodies (code package, config, scaling strategy) and the markers faasport
 * writes into function, version and alias descriptions.
 */
import {
  canonicalJson,
  type DesiredState,
  type ResolvedFunction,
  ValidationError,
  zipEntries,
} from '@faasport/core';
import { describeWithMarker, readMarkedDescription } from '@faasport/core/toolkit';
import { unzipSync } from 'fflate';
import { type ShimConfig, shimFileName, shimHandler, shimSource } from '../runtime';
import { providerOptions, runtimeMap } from './capabilities';

/** The alias that carries a function's traffic split; tags get one alias each. @public */
export const mainAlias = 'main';

/** The faasport data kept in a function's description, so read() can tell what is deployed. */
export interface Marker {
  /** specHash */
  s: string;
  /** revisionHash */
  r: string;
  /** hash of the deployed code package (first 32 hex) */
  c: string;
  /** the portable handler */
  h?: string;
  /** the contract */
  k: string;
}

/** The function description: the user's text, then the marker, within FunctionGraph's 512 characters. */
export function descriptionWith(userDescription: string | undefined, marker: Marker): string {
  return describeWithMarker(userDescription, marker, 512);
}

/** The marker and user text of a description. */
export function parseDescription(description: string | undefined): { user?: string; marker?: Marker } {
  return readMarkedDescription<Marker>(description);
}

/** Version descriptions hold the revision hash. */
export const versionDescription = (revisionHash: string) => `faasport revision ${revisionHash}`;
/** The revision hash of a version description, if faasport wrote it. */
export const revisionHashOfVersion = (description: string | undefined) =>
  /^faasport revision ([0-9a-f]{64})$/.exec(description ?? '')?.[1];
/** Alias descriptions mark the aliases faasport manages. */
export const aliasDescription = (tag?: string) => (tag ? `faasport tag ${tag}` : 'faasport main');

/** The code package as deployed: the user's files plus the shim for the web and event contracts. */
export interface DeployedCode {
  code_type: 'zip' | 'obs' | 'Custom-Image-Swr';
  zip?: Uint8Array;
  codeUrl?: string;
  /** Hash of what is deployed (package entries, OBS reference or image). */
  hash: string;
  handler: string;
}

/**
 * The shim's settings for a `web` or `event` function: its handler's module among the code's files
 * (`.mjs`, `.js` or `.cjs`), the export, the contract and the revision label.
 *
 * @throws {@link ValidationError} when the code has no file for the handler's module.
 */
export function shimConfigOf(fn: ResolvedFunction, fileNames: string[], revision: string): ShimConfig {
  const handler = fn.handler ?? 'index.default';
  const dot = handler.lastIndexOf('.');
  const moduleName = handler.slice(0, dot);
  const module = ['.mjs', '.js', '.cjs']
    .map((ext) => `${moduleName}${ext}`)
    .find((n) => fileNames.includes(n));
  if (!module) {
    throw new ValidationError(
      [
        {
          path: 'handler',
          message: `${JSON.stringify(handler)} names module "${moduleName}", but the code has no ${moduleName}.mjs, .js or .cjs (files: ${fileNames.slice(0, 10).join(', ')})`,
          rule: 'handler-module',
        },
      ],
      { subject: `function "${fn.name}"`, adapter: 'functiongraph' },
    );
  }
  return {
    module,
    export: handler.slice(dot + 1),
    contract: fn.contract as 'web' | 'event',
    functionName: fn.name,
    revision,
  };
}

const codeCache = new WeakMap<DesiredState, DeployedCode>();

/** Builds (once per desired state) the code package FunctionGraph receives. */
export function deployedCode(desired: DesiredState, region: string): DeployedCode {
  const cached = codeCache.get(desired);
  if (cached) return cached;
  const fn = desired.fn;
  let code: DeployedCode;
  if (fn.source.kind === 'image') {
    code = { code_type: 'Custom-Image-Swr', hash: desired.artifact.codeHash, handler: '-' };
  } else if (fn.source.kind === 'bucket') {
    const s = fn.source;
    const host = s.endpoint ? new URL(s.endpoint).host : `obs.${s.region ?? region}.myhuaweicloud.com`;
    code = {
      code_type: 'obs',
      codeUrl: `https://${s.name}.${host}/${s.key.split('/').map(encodeURIComponent).join('/')}`,
      hash: desired.artifact.codeHash,
      handler: fn.handler ?? 'index.handler',
    };
  } else if (fn.contract === 'native') {
    code = {
      code_type: 'zip',
      zip: desired.artifact.zip!,
      hash: desired.artifact.codeHash,
      handler: fn.handler ?? (fn.runtime === 'custom' ? 'bootstrap' : 'index.handler'),
    };
  } else {
    const files = unzipSync(desired.artifact.zip!);
    const shim = shimSource(shimConfigOf(fn, Object.keys(files), desired.revisionLabel));
    const entries = Object.entries(files)
      .filter(([name]) => !name.endsWith('/') && name !== shimFileName)
      .map(([name, data]) => ({ name, data, executable: false }));
    entries.push({ name: shimFileName, data: new TextEncoder().encode(shim), executable: false });
    const artifact = zipEntries(entries);
    code = { code_type: 'zip', zip: artifact.zip!, hash: artifact.codeHash, handler: shimHandler };
  }
  codeCache.set(desired, code);
  return code;
}

/** The config fields faasport manages, as FunctionGraph takes them (secret values only when `secrets` is given). */
export function managedConfig(
  desired: DesiredState,
  region: string,
  secrets: 'values' | 'references',
): Record<string, unknown> {
  const fn = desired.fn;
  const provider = providerOptions(fn);
  const code = deployedCode(desired, region);
  const isImage = fn.source.kind === 'image';
  const secretKeys = Object.keys(fn.secrets).sort();
  const secretData = Object.fromEntries(
    secretKeys.map((k) => [k, secrets === 'values' ? (desired.secretValues[k] ?? '') : `\${secret:${k}}`]),
  );
  const out: Record<string, unknown> = {
    func_name: fn.name,
    runtime: isImage ? 'Custom Image' : runtimeMap[fn.runtime],
    timeout: fn.resources.timeout,
    handler: code.handler,
    memory_size: fn.resources.memory,
    type: 'v2',
    user_data: Object.keys(fn.env).length ? canonicalJson(fn.env) : '',
    encrypted_user_data: secretKeys.length ? canonicalJson(secretData) : '',
    description: descriptionWith(fn.description, {
      s: desired.specHash,
      r: desired.revisionHash,
      c: code.hash.slice(0, 32),
      ...(fn.handler ? { h: fn.handler } : {}),
      k: fn.contract,
    }),
    ...(fn.initializer
      ? {
          initializer_handler: fn.initializer,
          initializer_timeout: Math.min(300, Math.max(1, fn.resources.timeout)),
        }
      : {}),
    ...(provider.xrole ? { xrole: provider.xrole } : {}),
  };
  if (fn.source.kind === 'image') {
    const image = fn.source;
    const [uid, gid] = (image.user ?? '').split(':');
    out.custom_image = {
      enabled: true,
      image: image.ref,
      ...(image.command?.length ? { command: image.command.join(',') } : {}),
      ...(image.args?.length ? { args: image.args.join(',') } : {}),
      ...(image.workdir ? { working_dir: image.workdir } : {}),
      ...(uid ? { uid, gid: gid ?? uid } : {}),
    };
  }
  return out;
}

/** The strategy_config for scaling: max instances and requests per instance. */
export function strategyConfig(fn: ResolvedFunction): { concurrency: number; concurrent_num: number } {
  return { concurrency: fn.scaling.max, concurrent_num: fn.scaling.concurrency };
}

/** The code fields of a create or update-code body. */
export function codeFields(desired: DesiredState, region: string): Record<string, unknown> {
  const code = deployedCode(desired, region);
  if (code.code_type === 'Custom-Image-Swr') return { code_type: 'Custom-Image-Swr' };
  if (code.code_type === 'obs') return { code_type: 'obs', code_url: code.codeUrl };
  return {
    code_type: 'zip',
    code_filename: 'index.zip',
    func_code: { file: Buffer.from(code.zip!).toString('base64') },
  };
}
