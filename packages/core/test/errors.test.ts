import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  errorCatalog,
  FaasportError,
  ProviderApiError,
  redact,
  redactValue,
  registerSecret,
  UnsupportedFeatureError,
} from '../src';

describe('errors', () => {
  it('carry a permanent code, a kind, a hint and a retry classification', () => {
    const e = new ProviderApiError({
      adapter: 'fc',
      operation: 'CreateFunction',
      status: 429,
      providerCode: 'Throttling',
      requestId: 'r-1',
    });
    expect(e.code).toBe('FP_PROVIDER_API');
    expect(e.kind).toBe('provider');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('fc CreateFunction failed with 429 Throttling (request id r-1).');
    expect(new ProviderApiError({ adapter: 'fc', operation: 'GetService', status: 403 }).retryable).toBe(
      false,
    );
    expect(FaasportError.isInstance(e)).toBe(true);
    expect(FaasportError.isInstance(new Error('x'))).toBe(false);
    expect(e.toJSON()).toMatchObject({ code: 'FP_PROVIDER_API', status: 429, providerCode: 'Throttling' });
    for (const entry of Object.values(errorCatalog)) expect(entry.hint.length).toBeGreaterThan(10);
  });

  it('name the option and the environment variable of a missing credential', () => {
    const e = ConfigurationError.missing({
      what: 'the FC access key id',
      option: 'accessKeyId',
      envVar: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    });
    expect(e.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(e.hint).toContain('`accessKeyId`');
    expect(e.envVar).toBe('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('never show a registered secret', () => {
    registerSecret('s3cr3t-value-123');
    const e = new UnsupportedFeatureError({
      feature: 'secrets',
      target: 'x',
      reason: 'token s3cr3t-value-123 leaked',
    });
    expect(e.message).not.toContain('s3cr3t-value-123');
    expect(e.message).toContain('***');
    expect(redact('a s3cr3t-value-123 b')).toBe('a *** b');
  });

  it('redact a registered secret from keys as well as values', () => {
    registerSecret('k3y-s3cr3t-456');
    const redacted = redactValue({ 'k3y-s3cr3t-456': 1, nested: [{ 'x-k3y-s3cr3t-456': 'k3y-s3cr3t-456' }] });
    expect(JSON.stringify(redacted)).not.toContain('k3y-s3cr3t-456');
    expect(redacted).toEqual({ '***': 1, nested: [{ 'x-***': '***' }] });
  });
});
