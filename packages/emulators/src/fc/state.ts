import { createHash, randomUUID } from 'node:crypto';

/** A function as the emulator stores it: FC's metadata plus the code bytes. */
export interface FunctionRecord {
  functionId: string;
  functionName: string;
  description: string;
  runtime: string;
  handler: string;
  initializer?: string;
  initializationTimeout: number;
  timeout: number;
  memorySize: number;
  instanceConcurrency: number;
  environmentVariables: Record<string, string>;
  customContainerConfig?: Record<string, unknown>;
  customRuntimeConfig?: { command?: string[]; args?: string[] };
  caPort: number;
  instanceType: string;
  layers: string[];
  cpu?: number;
  diskSize?: number;
  /** The zip, when code came as `zipFile`. */
  zip?: Uint8Array;
  /** The OSS object, when code came from OSS (the emulator does not fetch it). */
  oss?: { bucket: string; object: string };
  codeSize: number;
  codeChecksum: string;
  createdTime: string;
  lastModifiedTime: string;
}

/** A trigger as stored. */
export interface TriggerRecord {
  triggerName: string;
  triggerId: string;
  triggerType: string;
  description: string;
  qualifier?: string;
  sourceArn?: string;
  invocationRole?: string;
  triggerConfig: Record<string, unknown>;
  createdTime: string;
  lastModifiedTime: string;
}

/** A published version: a snapshot of every function of the service at publish time. */
export interface VersionRecord {
  versionId: string;
  description: string;
  createdTime: string;
  lastModifiedTime: string;
  functions: Map<string, FunctionRecord>;
}

/** An alias. `cursor` makes the weighted choice deterministic (exact over many calls). */
export interface AliasRecord {
  aliasName: string;
  versionId: string;
  description: string;
  additionalVersionWeight: Record<string, number>;
  createdTime: string;
  lastModifiedTime: string;
  cursor: number;
}

/** A service with everything under it. */
export interface ServiceRecord {
  serviceId: string;
  serviceName: string;
  fields: Record<string, unknown>;
  createdTime: string;
  lastModifiedTime: string;
  functions: Map<string, FunctionRecord>;
  triggers: Map<string, Map<string, TriggerRecord>>;
  versions: Map<string, VersionRecord>;
  aliases: Map<string, AliasRecord>;
  /** `qualifier/function` → provision target. */
  provision: Map<string, { target: number; extra: Record<string, unknown> }>;
  nextVersion: number;
  /** True when something changed since the last published version (FC refuses an empty publish). */
  changedSincePublish: boolean;
}

/** A custom domain. */
export interface DomainRecord {
  domainName: string;
  fields: Record<string, unknown>;
  createdTime: string;
  lastModifiedTime: string;
}

/** Everything the emulator holds. */
export interface FcState {
  services: Map<string, ServiceRecord>;
  domains: Map<string, DomainRecord>;
  /** Service name → its tags. */
  tags: Map<string, Record<string, string>>;
  /** `service/qualifier/function` → its async-invoke configuration. */
  asyncConfigs: Map<string, Record<string, unknown>>;
}

/** FC's time format: `2020-04-03T05:57:28Z`. */
export function fcTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An ETag: the md5 of the resource as returned. */
export function etagOf(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

/** A fresh resource id. */
export const newId = (): string => randomUUID();

const crcTable = (() => {
  // CRC-64/XZ (ECMA-182 polynomial, reflected), the checksum OSS and FC report as codeChecksum.
  const poly = 0xc96c5795d7870f42n;
  const table: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let crc = i;
    for (let j = 0; j < 8; j++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    table.push(crc);
  }
  return table;
})();

/** CRC-64 (ECMA) as a decimal string, FC's `codeChecksum`. */
export function crc64(data: Uint8Array): string {
  let crc = 0xffffffffffffffffn;
  for (const byte of data) crc = crcTable[Number((crc ^ BigInt(byte)) & 0xffn)]! ^ (crc >> 8n);
  return (crc ^ 0xffffffffffffffffn).toString();
}

/**
 * FC's list pagination: `prefix`, `startKey` (first name included), `limit` (default 20, not verified),
 * and `nextToken` (the name to continue from; omitted on the last page).
 */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  query: URLSearchParams,
): { page: T[]; nextToken?: string } {
  const prefix = query.get('prefix') ?? '';
  const start = query.get('nextToken') ?? query.get('startKey') ?? '';
  const limit = Math.max(1, Math.min(100, Number(query.get('limit') ?? 20) || 20));
  const sorted = items
    .filter((i) => key(i).startsWith(prefix) && key(i) >= start)
    .sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const page = sorted.slice(0, limit);
  const next = sorted[limit];
  return next ? { page, nextToken: key(next) } : { page };
}
