import type { LambdaExecution } from './execution';
import type { FunctionState, MappingState, ScheduleState } from './state';

/** The emulator's shared state, passed to every API module. */
export interface LambdaEmuState {
  region: string;
  accountId: string;
  /** The emulator's base URL (function URLs and code locations hang below it). */
  url: string;
  functions: Map<string, FunctionState>;
  mappings: Map<string, MappingState>;
  schedules: Map<string, ScheduleState>;
  execution: LambdaExecution;
  random: () => number;
  /** The emulator's clock (schedules), in ms. */
  now: () => number;
  /** Work started by asynchronous invocations, awaited on close. */
  pending: Set<Promise<unknown>>;
}

/** An API answer: status, JSON body (or raw bytes) and extra headers. */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
export const functionArnOf = (em: LambdaEmuState, name: string, qualifier?: string) =>
  `arn:aws:lambda:${em.region}:${em.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

/**
 * A `FunctionName` path or body value as Lambda takes it: a name, `name:qualifier`, a full or partial ARN
 * (API_CreateFunction, FunctionName).
 */
export function parseFunctionName(value: string): { name: string; qualifier?: string } {
  const parts = value.split(':');
  if (value.startsWith('arn:')) return { name: parts[6] ?? '', ...(parts[7] ? { qualifier: parts[7] } : {}) };
  if (parts.length === 3 && /^\d{12}$/.test(parts[0]!))
    return { name: parts[2]!, ...(parts[3] ? { qualifier: parts[3] } : {}) };
  return { name: parts[0]!, ...(parts[1] ? { qualifier: parts[1] } : {}) };
}
