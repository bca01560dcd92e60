import { createHmac } from 'node:crypto';
import { ProviderApiError, registerSecret } from '@faasport/core';
import type { RegistryCredentials } from './credentials';

/** A cloud registry recognised by its host name, with what its login needs. @public */
export type CloudRegistry =
  | { cloud: 'ecr'; host: string; accountId: string; region: string }
  | { cloud: 'swr'; host: string; region: string }
  | { cloud: 'acr'; host: string; region: string };

/**
 * The cloud registry a host belongs to, or undefined for any other registry:
 * - ECR `<account>.dkr.ecr.<region>.amazonaws.com` (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html);
 * - SWR `swr.<region>.myhuaweicloud.com` (https://support.huaweicloud.com/intl/en-us/usermanual-swr/swr_01_1000.html);
 * - ACR `registry[-vpc|-intl].<region>.aliyuncs.com` (Personal Edition) and `<instance>-registry[-vpc].<region>.cr.aliyuncs.com`
 *   (Enterprise Edition) (https://www.alibabacloud.com/help/en/acr/user-guide/configure-access-credentials).
 *
 * @public
 */
export function cloudRegistryOf(registry: string): CloudRegistry | undefined {
  const host = registry.toLowerCase();
  const ecr = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (ecr) return { cloud: 'ecr', host, accountId: ecr[1]!, region: ecr[2]! };
  const swr = /^swr\.([a-z0-9-]+)\.myhuaweicloud\.(?:com|eu)$/.exec(host);
  if (swr) return { cloud: 'swr', host, region: swr[1]! };
  const acr =
    /^[a-z0-9-]+-registry(?:-vpc)?\.([a-z0-9-]+)\.cr\.aliyuncs\.com$/.exec(host) ??
    /^registry(?:-intl)?(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com$/.exec(host);
  if (acr) return { cloud: 'acr', host, region: acr[1]! };
  return undefined;
}

/** The environment variables the FunctionGraph adapter reads its access key from, in order. */
const huaweiAk = ['HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY'];
const huaweiSk = ['HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY'];
const firstOf = (env: NodeJS.ProcessEnv, names: string[]) =>
  names.map((n) => env[n]).find((v) => v !== undefined && v !== '');

/**
 * SWR's long-term login key: the hex HMAC-SHA256 of the access key id keyed with the secret access
 * key, as SWR's guide computes it with
 * `printf "$AK" | openssl dgst -binary -sha256 -hmac "$SK" | od -An -vtx1 | sed 's/[ \n]//g' | sed 'N;s/\n//'`
 * (https://support.huaweicloud.com/intl/en-us/usermanual-swr/swr_01_1000.html, "Obtaining a Long-Term
 * Valid Login Command"). The user name is `<region>@<AK>`.
 *
 * @public
 */
export function swrLoginKey(accessKeyId: string, secretAccessKey: string): string {
  return createHmac('sha256', secretAccessKey).update(accessKeyId).digest('hex');
}

/**
 * SWR credentials from a permanent Huawei Cloud access key in the environment (`HUAWEICLOUD_SDK_AK` /
 * `HUAWEICLOUD_SDK_SK`, or `HW_ACCESS_KEY` / `HW_SECRET_KEY`), or undefined without one. A temporary key
 * (with a security token) cannot make a long-term login: SWR refuses it, and the 401's hint says so.
 *
 * @public
 */
export function swrCredentials(region: string, env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  const ak = firstOf(env, huaweiAk);
  const sk = firstOf(env, huaweiSk);
  if (!ak || !sk) return undefined;
  registerSecret(sk);
  const password = swrLoginKey(ak, sk);
  registerSecret(password);
  return { username: `${region}@${ak}`, password };
}

/** Where ECR's API is: the target's endpoint, else `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL` (the AWS SDKs' own variables). */
export interface EcrLogin {
  region: string;
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * ECR registry credentials through `GetAuthorizationToken` of `@aws-sdk/client-ecr` (loaded on first
 * use), with the AWS SDK's default credential chain (or the access key in `env`). The token is base64
 * `AWS:<password>`, valid 12 hours
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html,
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html).
 *
 * @throws {@link ProviderApiError} when ECR refuses or the credentials are missing, with the `aws ecr
 * get-login-password` fallback as the hint.
 * @public
 */
export async function ecrCredentials(login: EcrLogin): Promise<RegistryCredentials> {
  const env = login.env ?? process.env;
  const endpoint = login.endpoint ?? env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const key =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  const client = new ECRClient({
    region: login.region,
    ...(endpoint ? { endpoint } : {}),
    ...(key ? { credentials: key } : {}),
  });
  const hint = `Check the AWS credentials (ecr:GetAuthorizationToken), or log in with \`aws ecr get-login-password --region ${login.region} | docker login --username AWS --password-stdin <registry>\`.`;
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const token = out.authorizationData?.[0]?.authorizationToken;
    const decoded = token ? Buffer.from(token, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (!token || colon <= 0)
      throw new ProviderApiError(
        {
          adapter: 'registry',
          operation: 'ECR GetAuthorizationToken',
          providerMessage: 'the answer has no authorizationToken of the form user:password',
          retryable: false,
        },
        { hint },
      );
    registerSecret(token);
    const password = decoded.slice(colon + 1);
    registerSecret(password);
    return { username: decoded.slice(0, colon), password };
  } catch (error) {
    if (error instanceof ProviderApiError) throw error;
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    throw new ProviderApiError(
      {
        adapter: 'registry',
        operation: 'ECR GetAuthorizationToken',
        ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}),
        ...(e.name ? { providerCode: e.name } : {}),
        ...(e.message ? { providerMessage: e.message } : {}),
      },
      { hint, cause: error },
    );
  } finally {
    client.destroy();
  }
}

/**
 * The credentials a cloud registry's own login gives when Docker's config has none: ECR's
 * `GetAuthorizationToken`, SWR's login key from the access key in the environment. ACR's temporary
 * password needs the instance id (cr `GetAuthorizationToken`), so ACR stays with `docker login`.
 *
 * @public
 */
export async function cloudCredentials(
  registry: CloudRegistry,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredentials | undefined> {
  if (registry.cloud === 'ecr') return ecrCredentials({ region: registry.region, env });
  if (registry.cloud === 'swr') return swrCredentials(registry.region, env);
  return undefined;
}

/** How to log in to a cloud registry by hand, for the hint of a refused or missing login. @public */
export function cloudLoginHint(registry: CloudRegistry): string {
  switch (registry.cloud) {
    case 'ecr':
      return `Set AWS credentials allowed ecr:GetAuthorizationToken (faasport then logs in itself), or run \`aws ecr get-login-password --region ${registry.region} | docker login --username AWS --password-stdin ${registry.host}\`.`;
    case 'swr':
      return `Set a permanent HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (faasport then derives SWR's login key), or run SWR's login command: \`docker login -u ${registry.region}@<AK> -p <login key> ${registry.host}\`.`;
    case 'acr':
      return `Run \`docker login --username=<account> ${registry.host}\` with the instance's permanent password (Container Registry console, Instances > Access Credential), or the temporary one that cr GetAuthorizationToken (InstanceId) returns with its TempUsername.`;
  }
}
