import type { AdapterFactory } from '../adapters';

/**
 * The `fc` adapter: Alibaba Cloud Function Compute 2.0. Credentials, account and region come from
 * the target's options or the ALIBABA_CLOUD_* variables; offline (render) they may be absent.
 */
export const fcAdapterFactory: AdapterFactory = async ({ targetName, options, env, offline }) => {
  const { createFcAdapter, fcEnvVars } = await import('@faasport/adapter-fc');
  const has = (names: readonly string[]) => names.some((n) => env[n]);
  const o = options as Record<string, any>;
  const placeholders = offline
    ? {
        ...(o.accountId || has(fcEnvVars.accountId) ? {} : { accountId: '0000000000' }),
        ...(o.region || has(fcEnvVars.region) ? {} : { region: 'cn-hangzhou' }),
        ...(o.credentials || (has(fcEnvVars.accessKeyId) && has(fcEnvVars.accessKeySecret))
          ? {}
          : { credentials: { accessKeyId: 'offline', accessKeySecret: 'offline' } }),
      }
    : {};
  return createFcAdapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
};
