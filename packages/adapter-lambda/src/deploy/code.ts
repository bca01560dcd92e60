/**
 * The code package Lambda receives (the user's files plus the shim for the web and event contracts), the
 * configuration fields faasport manages, and the markers faasport writes into descriptions and tags so
 * `read` can tell what is deployed.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type DesiredState,
  type ResolvedFunction,
  ValidationError,
  zipEntries,
} from '@faasport/core';
import { describeWithMarker, readMarkedDescription } from '@faasport/core/toolkit';
import { unzipSync } from 'fflate';
import { shimFileName, shimHandler, shimSource } from '../runtime';
import { deprecatedRuntimes, lambdaLimits, lambdaRuntimeOf, providerOptions } from './capabilities';

/** The faasport data kept in the function's description. */
export interface Marker {
  /** specHash, first 32 hex */
  s: string;
  /** revisionHash, first 32 hex */
  r: string;
  /** the contract */
  k: string;
  /** the portable handler */
  h?: string;
  /** faasport's runtime, when Lambda runs the function on another one (nodejs20 on nodejs22.x) */
  t?: string;
}

/** The function description: the user's text, then the marker, within Lambda's 256 characters. */
export function descriptionWith(userDescription: string | undefined, marker: Marker): string {
  return describeWithMarker(userDescription, marker, lambdaLimits.descriptionChars);
}

/** The marker and user text of a description. */
export function parseDescription(description: string | undefined): { user?: string; marker?: Marker } {
  return readMarkedDescription<Marker>(description);
}

/**
 * A published version's description: `faasport <label> <revisionHash> <codeHash16>`. Lambda numbers
 * versions itself, so the label lives here.
 */
export const versionDescription = (label: string, revisionHash: string, codeHash: string) =>
  `faasport ${label} ${revisionHash} ${codeHash.slice(0, 16)}`;

/** The label and revision hash of a version description faasport wrote. */
export function parseVersionDescription(
  description: string | undefined,
): { label: string; revisionHash: string } | undefined {
  const m = /^faasport (\S+) ([0-9a-f]{64})(?: [0-9a-f]{16})?$/.exec(description ?? '');
  return m ? { label: m[1]!, revisionHash: m[2]! } : undefined;
}

/** Alias descriptions mark the aliases faasport manages. */
export const aliasDescription = (tag?: string) => (tag ? `faasport tag ${tag}` : 'faasport main');
/** The tag of an alias description faasport wrote. */
export const tagOfAlias = (description: string | undefined) =>
  /^faasport tag (.+)$/.exec(description ?? '')?.[1];

/** The tag holding the names of the variables that are secrets (their values are never exported). */
export const secretsTag = 'faasport:secrets';

/** The code as deployed. */
export interface DeployedCode {
  kind: 'zip' | 's3' | 'image';
  zip?: Uint8Array;
  /** base64 sha256 of the zip: what Lambda reports as `CodeSha256`. */
  sha256?: string;
  /** Hash of what is deployed (zip entries, S3 reference or image). */
  hash: string;
  handler?: string;
}

const codeCache = new WeakMap<DesiredState, DeployedCode>();

/** Builds (once per desired state) the code package Lambda receives. */
export function deployedCode(desired: DesiredState): DeployedCode {
  const cached = codeCache.get(desired);
  if (cached) return cached;
  const fn = desired.fn;
  let code: DeployedCode;
  if (fn.source.kind === 'image') code = { kind: 'image', hash: desired.artifact.codeHash };
  else if (fn.source.kind === 'bucket')
    code = { kind: 's3', hash: desired.artifact.codeHash, handler: fn.handler ?? 'index.handler' };
  else if (fn.contract === 'native') {
    const zip = desired.artifact.zip!;
    code = {
      kind: 'zip',
      zip,
      sha256: createHash('sha256').update(zip).digest('base64'),
      hash: desired.artifact.codeHash,
      handler: fn.handler ?? (fn.runtime === 'custom' ? 'bootstrap' : 'index.handler'),
    };
  } else {
    const files = unzipSync(desired.artifact.zip!);
    const handler = fn.handler ?? 'index.default';
    const dot = handler.lastIndexOf('.');
    const moduleName = handler.slice(0, dot);
    const module = ['.mjs', '.js', '.cjs']
      .map((ext) => `${moduleName}${ext}`)
      .find((n) => files[n] !== undefined);
    if (!module)
      throw new ValidationError(
        [
          {
            path: 'handler',
            message: `${JSON.stringify(handler)} names module "${moduleName}", but the code has no ${moduleName}.mjs, .js or .cjs (files: ${Object.keys(files).slice(0, 10).join(', ')})`,
            rule: 'handler-module',
          },
        ],
        { subject: `function "${fn.name}"`, adapter: 'lambda' },
      );
    const shim = shimSource({
      module,
      export: handler.slice(dot + 1),
      contract: fn.contract as 'web' | 'event',
      functionName: fn.name,
      revision: desired.revisionLabel,
    });
    const entries = Object.entries(files)
      .filter(([name]) => !name.endsWith('/') && name !== shimFileName)
      .map(([name, data]) => ({ name, data, executable: false }));
    entries.push({ name: shimFileName, data: new TextEncoder().encode(shim), executable: false });
    const artifact = zipEntries(entries);
    code = {
      kind: 'zip',
      zip: artifact.zip!,
      sha256: createHash('sha256').update(artifact.zip!).digest('base64'),
      hash: artifact.codeHash,
      handler: shimHandler,
    };
  }
  codeCache.set(desired, code);
  return code;
}

/** The `Code` of CreateFunction, or the code fields of UpdateFunctionCode. */
export function codeFields(desired: DesiredState): Record<string, unknown> {
  const fn = desired.fn;
  const code = deployedCode(desired);
  if (fn.source.kind === 'image') return { ImageUri: fn.source.ref };
  if (fn.source.kind === 'bucket') return { S3Bucket: fn.source.name, S3Key: fn.source.key };
  return { ZipFile: code.zip! };
}

/** The execution role of a function: `providers.lambda.role`, else the target's `role`. */
export function roleOf(fn: ResolvedFunction, targetRole: string | undefined): string | undefined {
  return providerOptions(fn).role ?? targetRole;
}

/**
 * The configuration fields faasport manages, as CreateFunction / UpdateFunctionConfiguration take them
 * (aws-sdk-js-v3 `clients/client-lambda/src/models/models_0.ts`, CreateFunctionRequest). Secret values
 * only with `secrets: 'values'`; otherwise `${secret:NAME}` references stand in for them.
 */
export function managedConfig(
  desired: DesiredState,
  targetRole: string | undefined,
  secrets: 'values' | 'references',
): Record<string, unknown> {
  const fn = desired.fn;
  const code = deployedCode(desired);
  const secretKeys = Object.keys(fn.secrets).sort();
  const variables = {
    ...fn.env,
    ...Object.fromEntries(
      secretKeys.map((k) => [k, secrets === 'values' ? (desired.secretValues[k] ?? '') : `\${secret:${k}}`]),
    ),
  };
  const role = roleOf(fn, targetRole);
  const out: Record<string, unknown> = {
    FunctionName: fn.name,
    ...(role ? { Role: role } : {}),
    Description: descriptionWith(fn.description, {
      s: desired.specHash.slice(0, 32),
      r: desired.revisionHash.slice(0, 32),
      k: fn.contract,
      ...(fn.handler ? { h: fn.handler } : {}),
      // Export gives the declared runtime back, so a migration keeps what the project asked for.
      ...(fn.source.kind !== 'image' && deprecatedRuntimes[fn.runtime] && !providerOptions(fn).runtime
        ? { t: fn.runtime }
        : {}),
    }),
    Timeout: fn.resources.timeout,
    MemorySize: fn.resources.memory,
    EphemeralStorage: { Size: fn.resources.disk ?? lambdaLimits.ephemeralMb.min },
    Environment: { Variables: variables },
  };
  if (fn.source.kind === 'image') {
    const image = fn.source;
    const imageConfig = {
      ...(image.command?.length ? { EntryPoint: image.command } : {}),
      ...(image.args?.length ? { Command: image.args } : {}),
      ...(image.workdir ? { WorkingDirectory: image.workdir } : {}),
    };
    out.ImageConfig = imageConfig;
  } else {
    out.Runtime = lambdaRuntimeOf(fn);
    out.Handler = code.handler;
  }
  return out;
}

/** The configuration fields a live function has, in the shape of {@link managedConfig}, for comparison. */
export function comparableConfig(config: Record<string, unknown>): Record<string, unknown> {
  const pick = (key: string) => (config[key] === undefined ? {} : { [key]: config[key] });
  const imageConfig = (config.ImageConfigResponse as { ImageConfig?: Record<string, unknown> } | undefined)
    ?.ImageConfig;
  return {
    ...pick('Role'),
    ...pick('Runtime'),
    ...pick('Handler'),
    ...pick('Timeout'),
    ...pick('MemorySize'),
    EphemeralStorage: { Size: (config.EphemeralStorage as { Size?: number } | undefined)?.Size ?? 512 },
    Environment: {
      Variables: (config.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {},
    },
    ...(imageConfig ? { ImageConfig: imageConfig } : {}),
  };
}

/** The hash of a canonical JSON value, for stable comparisons in plans. */
export const hashOf = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');
