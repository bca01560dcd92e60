import { loadSetting } from '@faasport/core/toolkit';
import type { AdapterFactory } from '../adapters';

/**
 * The `fc` adapter: Alibaba Cloud Function Compute 2.0. Credentials, account and region come from
 * the target's options or the ALIBABA_CLOUD_* variables; offline (render) they may be absent.
 */
export const fcAdapterFactory: AdapterFactory = async ({ targetName, options, env, offline }) => {
  const { createFcAdapter, fcEnvVars } = await import('@faasport/adapter-fc');
  const o = options as Record<string, any>;
  const has = (name: string, envNames: readonly string[]) =>
    Boolean(loadSetting({ name, options: o, env, envNames }));
  const placeholders = offline
    ? {
        ...(has('accountId', fcEnvVars.accountId) ? {} : { accountId: '0000000000' }),
        ...(has('region', fcEnvVars.region) ? {} : { region: 'cn-hangzhou' }),
        ...(o.credentials ||
        (has('credentials.accessKeyId', fcEnvVars.accessKeyId) &&
          has('credentials.accessKeySecret', fcEnvVars.accessKeySecret))
          ? {}
          : { credentials: { accessKeyId: 'offline', accessKeySecret: 'offline' } }),
      }
    : {};
  return createFcAdapter({ target: targetName, ...placeholders, ...o, env: { ...env } });
};
