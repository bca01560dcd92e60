import type { FunctionRecord } from '../fc/state';

/** A function as the emulator stores it: the FC 3.0 body fields, plus its code. */
export interface Fc3FunctionRecord {
  /** The fields of CreateFunction / UpdateFunction as received (FC 3.0 names). */
  config: Record<string, unknown> & { functionName: string; runtime: string };
  zip?: Uint8Array;
  codeChecksum: string;
  codeSize: number;
  functionId: string;
  createdTime: string;
  lastModifiedTime: string;
}

export interface Fc3VersionRecord {
  versionId: string;
  description: string;
  createdTime: string;
  lastModifiedTime: string;
  /** The function as published. */
  snapshot: Fc3FunctionRecord;
}

export interface Fc3AliasRecord {
  aliasName: string;
  versionId: string;
  description: string;
  additionalVersionWeight: Record<string, number>;
  createdTime: string;
  lastModifiedTime: string;
}

export interface Fc3TriggerRecord {
  triggerName: string;
  triggerType: string;
  triggerId: string;
  description: string;
  qualifier: string;
  sourceArn?: string;
  invocationRole?: string;
  /** As FC 3.0 returns it: a JSON string. */
  triggerConfig: string;
  createdTime: string;
  lastModifiedTime: string;
  /** For http triggers: the domain prefix `<fn>-<hash>`. */
  domainPrefix?: string;
}

/** A scaling config as PutScalingConfig set it (`PutScalingConfigInput` fields). */
export interface Fc3ScalingRecord {
  minInstances?: number;
  residentPoolId?: string;
  enableOnDemandScaling?: boolean;
  enableMixMode?: boolean;
  requestDispatchPolicy?: string;
  horizontalScalingPolicies?: unknown[];
  scheduledPolicies?: unknown[];
}

/** Everything of one function: its LATEST, versions, aliases, triggers and scaling configs. */
export interface Fc3Entry {
  fn: Fc3FunctionRecord;
  versions: Map<string, Fc3VersionRecord>;
  nextVersion: number;
  aliases: Map<string, Fc3AliasRecord>;
  triggers: Map<string, Fc3TriggerRecord>;
  /** Provisioned targets by qualifier. */
  provision: Map<string, number>;
  /** Scaling configs (PutScalingConfig bodies) by qualifier. */
  scaling: Map<string, Fc3ScalingRecord>;
  reservedConcurrency?: number;
}

/** The emulator's state. */
export interface Fc3State {
  functions: Map<string, Fc3Entry>;
}

/** FC's timestamp format. */
export const fc3Time = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The FC 2.0 function record the shared executor takes (see ../fc/execution.ts), from an FC 3.0 function:
 * `instanceLifecycleConfig.initializer` becomes `initializer`, `customContainerConfig.port` the port, and
 * its `entrypoint`/`command` arrays FC 2.0's `command`/`args` (JSON strings there).
 */
export function executionRecordOf(fn: Fc3FunctionRecord): FunctionRecord {
  const c = fn.config as Record<string, any>;
  const container = c.customContainerConfig as Record<string, unknown> | undefined;
  const runtimeConfig = c.customRuntimeConfig as
    | { command?: string[]; args?: string[]; port?: number }
    | undefined;
  return {
    functionId: fn.functionId,
    functionName: c.functionName,
    description: c.description ?? '',
    runtime: c.runtime,
    handler: c.handler ?? 'index.handler',
    ...(c.instanceLifecycleConfig?.initializer?.handler
      ? { initializer: c.instanceLifecycleConfig.initializer.handler }
      : {}),
    initializationTimeout: c.instanceLifecycleConfig?.initializer?.timeout ?? 3,
    timeout: c.timeout ?? 3,
    memorySize: c.memorySize ?? 512,
    instanceConcurrency: c.instanceConcurrency ?? 1,
    environmentVariables: c.environmentVariables ?? {},
    ...(container
      ? {
          customContainerConfig: {
            image: container.image,
            ...(Array.isArray(container.entrypoint) ? { command: JSON.stringify(container.entrypoint) } : {}),
            ...(Array.isArray(container.command) ? { args: JSON.stringify(container.command) } : {}),
          },
        }
      : {}),
    ...(runtimeConfig ? { customRuntimeConfig: runtimeConfig } : {}),
    caPort: Number(container?.port ?? runtimeConfig?.port ?? 9000),
    instanceType: 'fc3',
    layers: c.layers ?? [],
    ...(fn.zip ? { zip: fn.zip } : {}),
    codeSize: fn.codeSize,
    codeChecksum: fn.codeChecksum,
    createdTime: fn.createdTime,
    lastModifiedTime: fn.lastModifiedTime,
  };
}
