/**
 * The shared pieces of the Lambda adapter: the context every operation gets (options and the two SDK
 * clients), one way to send a command that turns SDK failures into faasport errors, and the shape of
 * what `read` gathers.
 */
import type {
  AliasConfiguration,
  EventSourceMappingConfiguration,
  FunctionConfiguration,
  FunctionUrlConfig,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import type { LambdaFunctionConfiguration, S3Client } from '@aws-sdk/client-s3';
import type { GetScheduleCommandOutput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ConfigurationError, ProviderApiError } from '@faasport/core';
import { readOrUndefined } from '@faasport/core/toolkit';
import type { ResolvedOptions } from '../options';

/** What every adapter operation works with. */
export interface LambdaApi {
  o: ResolvedOptions;
  lambda: LambdaClient;
  scheduler: SchedulerClient;
  /** For the bucket notifications of storage triggers. */
  s3: S3Client;
}

/** Everything read() gathers about one function, kept in LiveFunction.raw for plan(). */
export interface LambdaLive {
  config: FunctionConfiguration;
  /** `Code.Location` (a presigned URL of the zip) or `Code.ImageUri`. */
  code: { location?: string; imageUri?: string; repositoryType?: string };
  tags: Record<string, string>;
  /** Reserved concurrency, when set. */
  reserved?: number;
  /** Published versions (not `$LATEST`), oldest first. */
  versions: FunctionConfiguration[];
  aliases: AliasConfiguration[];
  /** The function URL of the main alias. */
  url?: FunctionUrlConfig;
  /** Provisioned concurrency requested on the main alias; undefined when the endpoint has no such API (moto). */
  provisioned?: number;
  /** Event source mappings of the main alias. */
  mappings: EventSourceMappingConfiguration[];
  /** Scheduler schedules that target the main alias. */
  schedules: GetScheduleCommandOutput[];
  /** The buckets whose notifications may invoke the function (from its policy's S3 statements). */
  storage: BucketNotifications[];
}

/** What read() gathers about one bucket that may notify the function. */
export interface BucketNotifications {
  bucket: string;
  /** False when the bucket does not exist (or cannot be read). */
  exists: boolean;
  /** Entries of the bucket that invoke this function (any qualifier). */
  entries: LambdaFunctionConfiguration[];
  /** Whether faasport's permission statement for this bucket is on the main alias. */
  permission: boolean;
}

/** The alias that carries a function's traffic split; tags get one alias each. @public */
export const mainAlias = 'main';

/** The SDK error's fields a ProviderApiError needs. */
interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $retryable?: unknown;
}

/** The HTTP status of an SDK error. */
export const statusOfSdkError = (error: unknown) => (error as SdkError)?.$metadata?.httpStatusCode;

/** Whether an SDK error says the resource does not exist. */
export function isNotFound(error: unknown): boolean {
  const name = (error as SdkError)?.name ?? '';
  return /NotFound/.test(name) || statusOfSdkError(error) === 404;
}

/**
 * Sends one SDK command; a failure becomes a {@link ProviderApiError} (operation, status, AWS error code,
 * request id), and missing credentials a {@link ConfigurationError} naming where they are looked for.
 */
export async function send<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toFaasportError(operation, error);
  }
}

/** Like {@link send}, but resolves `undefined` when the resource does not exist. */
export async function sendOrUndefined<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
  return send(operation, () => readOrUndefined(run, isNotFound));
}

/** An SDK failure as a faasport error. */
export function toFaasportError(operation: string, error: unknown): Error {
  const e = error as SdkError;
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/.test(e?.message ?? ''))
    return new ConfigurationError(
      'No AWS credentials were found: the lambda adapter uses the AWS SDK default provider chain (environment, shared config and profiles, SSO, web identity, container and instance metadata).',
      {
        adapter: 'lambda',
        option: 'credentials',
        envVar: 'AWS_ACCESS_KEY_ID',
        hint: 'Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE for a profile of ~/.aws/config; faasport.yaml never holds credentials.',
      },
    );
  const status = statusOfSdkError(error);
  if (status === undefined && !e?.name) return error as Error;
  const auth =
    status === 403 || /Signature|UnrecognizedClient|InvalidClientToken|AccessDenied/.test(e?.name ?? '');
  return new ProviderApiError(
    {
      adapter: 'lambda',
      operation,
      ...(status !== undefined ? { status } : {}),
      ...(e?.name && e.name !== 'Error' ? { providerCode: e.name } : {}),
      providerMessage: (e?.message ?? '').slice(0, 500),
      ...(e?.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
      ...(e?.name === 'TooManyRequestsException' ? { retryable: true } : {}),
    },
    {
      cause: error,
      ...(auth
        ? {
            hint: "AWS refused the credentials or their permissions: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or AWS_PROFILE, the IAM policy, and this machine's clock.",
          }
        : {}),
    },
  );
}

/** The account id of an ARN (`arn:aws:lambda:<region>:<account>:...`). */
export const accountOf = (arn: string | undefined) => arn?.split(':')[4] ?? '';

/** The ARN of a function, or of one of its aliases or versions. */
export function functionArn(api: LambdaApi, account: string, name: string, qualifier?: string): string {
  const partition = api.o.region.startsWith('cn-')
    ? 'aws-cn'
    : api.o.region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return `arn:${partition}:lambda:${api.o.region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/** An object without undefined fields. */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
