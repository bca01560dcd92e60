import FCClientModule from '@alicloud/fc2';
import { networkCodeOf, networkFailure, ProviderApiError, z } from '@faasport/core';
import { withRetry, zodIssues } from '@faasport/core/toolkit';
import type { ResolvedFcOptions } from './options';

/** What an fc2 call resolves to. */
interface Fc2Response {
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}

/** The `@alicloud/fc2` 2.6 methods the adapter uses (the package ships no types). */
interface Fc2Client {
  createService(name: string, options: object, headers?: object): Promise<Fc2Response>;
  getService(name: string, headers?: object, qualifier?: string): Promise<Fc2Response>;
  updateService(name: string, options: object, headers?: object): Promise<Fc2Response>;
  /** fc2 bug: the 2nd argument is sent as HTTP headers (reference A6). */
  deleteService(name: string, headers?: object): Promise<Fc2Response>;
  listServices(query: object, headers?: object): Promise<Fc2Response>;
  createFunction(service: string, options: object, headers?: object): Promise<Fc2Response>;
  getFunction(service: string, fn: string, headers?: object, qualifier?: string): Promise<Fc2Response>;
  /** fc2 bug: the headers argument is sent as the query string (reference A7). */
  getFunctionCode(service: string, fn: string, query?: object, qualifier?: string): Promise<Fc2Response>;
  updateFunction(service: string, fn: string, options: object, headers?: object): Promise<Fc2Response>;
  deleteFunction(service: string, fn: string, query?: object, headers?: object): Promise<Fc2Response>;
  listFunctions(service: string, query: object, headers?: object, qualifier?: string): Promise<Fc2Response>;
  invokeFunction(
    service: string,
    fn: string,
    event: Buffer | string,
    headers?: object,
    qualifier?: string,
    opts?: { rawBuf?: boolean },
  ): Promise<Fc2Response>;
  createTrigger(service: string, fn: string, options: object, headers?: object): Promise<Fc2Response>;
  updateTrigger(
    service: string,
    fn: string,
    trigger: string,
    options: object,
    headers?: object,
  ): Promise<Fc2Response>;
  deleteTrigger(
    service: string,
    fn: string,
    trigger: string,
    query?: object,
    headers?: object,
  ): Promise<Fc2Response>;
  listTriggers(service: string, fn: string, query: object, headers?: object): Promise<Fc2Response>;
  publishVersion(service: string, description: string, headers?: object): Promise<Fc2Response>;
  listVersions(service: string, query: object, headers?: object): Promise<Fc2Response>;
  deleteVersion(service: string, versionId: string, headers?: object): Promise<Fc2Response>;
  createAlias(
    service: string,
    alias: string,
    versionId: string,
    options: object,
    headers?: object,
  ): Promise<Fc2Response>;
  updateAlias(
    service: string,
    alias: string,
    versionId: string,
    options: object,
    headers?: object,
  ): Promise<Fc2Response>;
  deleteAlias(service: string, alias: string, headers?: object): Promise<Fc2Response>;
  listAliases(service: string, query: object, headers?: object): Promise<Fc2Response>;
  getProvisionConfig(service: string, fn: string, qualifier: string, headers?: object): Promise<Fc2Response>;
  putProvisionConfig(
    service: string,
    fn: string,
    qualifier: string,
    options: object,
    headers?: object,
  ): Promise<Fc2Response>;
  createCustomDomain(domain: string, options: object, headers?: object): Promise<Fc2Response>;
  updateCustomDomain(domain: string, options: object, headers?: object): Promise<Fc2Response>;
  /** fc2 bug: the 2nd argument is sent as HTTP headers. */
  deleteCustomDomain(domain: string, headers?: object): Promise<Fc2Response>;
  listCustomDomains(query: object, headers?: object): Promise<Fc2Response>;
}

interface Fc2Constructor {
  new (
    accountId: string,
    config: {
      accessKeyID: string;
      accessKeySecret: string;
      securityToken?: string;
      region: string;
      endpoint?: string;
      timeout?: number;
    },
  ): Fc2Client;
  getSignature(
    accessKeyId: string,
    accessKeySecret: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    queries: Record<string, string | string[]> | null,
  ): string;
}

const FCClient = ((FCClientModule as { default?: unknown }).default ?? FCClientModule) as Fc2Constructor;

// Lenient schemas of FC responses: the fields the adapter reads, everything else kept.
const serviceSchema = z.looseObject({
  serviceName: z.string(),
  description: z.string().optional(),
  role: z.string().optional(),
});
const functionSchema = z.looseObject({
  functionName: z.string(),
  description: z.string().optional(),
  runtime: z.string(),
  handler: z.string().optional(),
  initializer: z.string().nullish(),
  initializationTimeout: z.number().optional(),
  timeout: z.number().optional(),
  memorySize: z.number().optional(),
  instanceConcurrency: z.number().optional(),
  environmentVariables: z.record(z.string(), z.string()).nullish(),
  customContainerConfig: z
    .looseObject({ image: z.string(), command: z.string().optional(), args: z.string().optional() })
    .nullish(),
  caPort: z.number().optional(),
  codeChecksum: z.string().optional(),
  cpu: z.number().optional(),
  diskSize: z.number().optional(),
});
const triggerSchema = z.looseObject({
  triggerName: z.string(),
  triggerType: z.string(),
  qualifier: z.string().nullish(),
  sourceArn: z.string().nullish(),
  invocationRole: z.string().nullish(),
  description: z.string().optional(),
  triggerConfig: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
});
const versionSchema = z.looseObject({
  versionId: z.string(),
  description: z.string().optional(),
  createdTime: z.string().optional(),
});
const aliasSchema = z.looseObject({
  aliasName: z.string(),
  versionId: z.string(),
  description: z.string().optional(),
  additionalVersionWeight: z.record(z.string(), z.number()).nullish(),
});
const provisionSchema = z.looseObject({ target: z.number().optional(), current: z.number().optional() });
const domainSchema = z.looseObject({
  domainName: z.string(),
  protocol: z.string().optional(),
  routeConfig: z
    .looseObject({
      routes: z
        .array(
          z.looseObject({
            path: z.string(),
            serviceName: z.string(),
            functionName: z.string(),
            qualifier: z.string().optional(),
            methods: z.array(z.string()).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
const codeSchema = z.looseObject({ url: z.string(), checksum: z.string().optional() });

/** An FC service as read. */
export type FcService = z.infer<typeof serviceSchema>;
/** An FC function as read. */
export type FcFunction = z.infer<typeof functionSchema>;
/** An FC trigger as read (triggerConfig parsed to an object). */
export interface FcTrigger {
  triggerName: string;
  triggerType: string;
  qualifier?: string | null;
  sourceArn?: string | null;
  invocationRole?: string | null;
  description?: string;
  triggerConfig: Record<string, unknown>;
}
/** An FC version. */
export type FcVersion = z.infer<typeof versionSchema>;
/** An FC alias. */
export type FcAlias = z.infer<typeof aliasSchema>;
/** An FC custom domain. */
export type FcDomain = z.infer<typeof domainSchema>;
/** A resource with the ETag FC sent with it. */
export type WithEtag<T> = T & { etag?: string };

function etagOf(headers: Fc2Response['headers']): string | undefined {
  const v = headers.etag;
  return typeof v === 'string' ? v : undefined;
}

function parse<T>(schema: z.ZodType<T>, operation: string, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new ProviderApiError({
    adapter: 'fc',
    operation,
    providerMessage: `unexpected response: ${zodIssues(parsed.error)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')}`,
    retryable: false,
  });
}

/** What to do about FC's authentication errors. */
function hintFor(code: string | undefined): string | undefined {
  if (code === 'SignatureNotMatch') {
    return "Check the access key secret (credentials.accessKeySecret or ALIBABA_CLOUD_ACCESS_KEY_SECRET), that it belongs to the access key id, and that this machine's clock is right.";
  }
  if (code === 'InvalidAccessKeyID') {
    return 'Check the access key id (credentials.accessKeyId or ALIBABA_CLOUD_ACCESS_KEY_ID); a temporary STS key also needs its security token.';
  }
  if (code === 'AccessDenied')
    return 'The RAM user or role lacks an FC permission for this call, or the account id does not match the key.';
  return undefined;
}

/** Reads status, request id and message out of an fc2 error (fc2 puts them only in the message). */
function toProviderError(operation: string, error: unknown, options?: ResolvedFcOptions): ProviderApiError {
  if (ProviderApiError.isInstance(error) && error instanceof ProviderApiError) return error;
  const e = error as { message?: string; code?: string; name?: string };
  const message = String(e?.message ?? error);
  const m = /failed with (\d{3})\. requestid: ([^,]*), message: (.*)\.$/s.exec(message);
  if (m) {
    const status = Number(m[1]);
    return new ProviderApiError(
      {
        adapter: 'fc',
        operation,
        status,
        ...(e.code && e.code !== 'undefined' ? { providerCode: e.code } : {}),
        providerMessage: m[3] === 'undefined' ? undefined : m[3],
        ...(m[2] && m[2] !== 'undefined' ? { requestId: m[2] } : {}),
        retryable: status === 429 || status >= 500,
      },
      { cause: error, ...(hintFor(e.code) ? { hint: hintFor(e.code) } : {}) },
    );
  }
  // No HTTP answer. fc2 glues the host to the next words ("ENOTFOUND <host>GET https://..."), so the
  // message is rebuilt; the endpoint is made of the account id and region, the settings to check.
  if (options && networkCodeOf(error)) {
    return networkFailure({
      adapter: 'fc',
      operation,
      endpoint: options.endpoint,
      error,
      hint: `Check the region "${options.region}" (option \`region\` or ALIBABA_CLOUD_REGION, e.g. cn-hangzhou) and the account id (\`accountId\` or ALIBABA_CLOUD_ACCOUNT_ID): the endpoint is https://<accountId>.<region>.fc.aliyuncs.com unless the \`endpoint\` option sets it.`,
    });
  }
  // Connection refused, reset, timeout without a known code. Retryable.
  return new ProviderApiError(
    {
      adapter: 'fc',
      operation,
      providerMessage: `${e?.code ? `${e.code}: ` : ''}${message}`,
      retryable: true,
    },
    { cause: error },
  );
}

/**
 * A typed wrapper over `@alicloud/fc2`: one method per FC 2.0 operation the adapter uses, lenient
 * parsing of responses, errors as {@link ProviderApiError} (status, FC code, request id), and retries
 * with exponential backoff and jitter on throttling, 5xx and network errors.
 */
export class FcApiClient {
  private instance?: Fc2Client;

  constructor(
    private readonly options: ResolvedFcOptions,
    /** Ends retries at once when aborted. */
    private readonly signal?: AbortSignal,
    private readonly shared?: FcApiClient,
  ) {}

  /** The same client whose retries stop when `signal` aborts (the fc2 client is shared). */
  withSignal(signal: AbortSignal | undefined): FcApiClient {
    return signal ? new FcApiClient(this.options, signal, this.shared ?? this) : this;
  }

  /** The fc2 client, made on first use; throws the ConfigurationError of a missing credential. */
  private fc(): Fc2Client {
    if (this.shared) return this.shared.fc();
    if (this.options.credentialError) throw this.options.credentialError;
    this.instance ??= new FCClient(this.options.accountId, {
      accessKeyID: this.options.accessKeyId,
      accessKeySecret: this.options.accessKeySecret,
      ...(this.options.securityToken ? { securityToken: this.options.securityToken } : {}),
      region: this.options.region,
      endpoint: this.options.endpoint,
      timeout: this.options.timeoutMs,
    });
    return this.instance;
  }

  /**
   * Runs one fc2 call with retries. FC retries what {@link toProviderError} marks retryable (429,
   * every 5xx, network failures but a name that does not resolve). fc2 mutates option objects, so
   * callers pass fresh ones.
   */
  private async call(
    operation: string,
    run: (fc: Fc2Client) => Promise<Fc2Response>,
    retryable: (error: ProviderApiError) => boolean = (error) => error.retryable,
  ): Promise<Fc2Response> {
    const fc = this.fc();
    return withRetry(
      async () => {
        try {
          return await run(fc);
        } catch (error) {
          throw toProviderError(operation, error, this.options);
        }
      },
      {
        retryable: (error) => retryable(error as ProviderApiError),
        attempts: this.options.maxAttempts,
        baseDelayMs: this.options.retryBaseMs,
        ...(this.signal ? { signal: this.signal } : {}),
      },
    );
  }

  private async listAll<T>(
    operation: string,
    key: string,
    schema: z.ZodType<T>,
    run: (fc: Fc2Client, query: Record<string, string | number>) => Promise<Fc2Response>,
  ): Promise<T[]> {
    const out: T[] = [];
    let nextToken: string | undefined;
    do {
      const query: Record<string, string | number> = { limit: 100, ...(nextToken ? { nextToken } : {}) };
      const { data } = await this.call(operation, (fc) => run(fc, query));
      const page = parse(
        z.looseObject({ [key]: z.array(schema).nullish(), nextToken: z.string().nullish() }),
        operation,
        data,
      );
      out.push(...((page[key] as T[] | null | undefined) ?? []));
      nextToken = (page.nextToken as string | null | undefined) ?? undefined;
    } while (nextToken);
    return out;
  }

  async getService(name: string): Promise<WithEtag<FcService>> {
    const r = await this.call('GetService', (fc) => fc.getService(name, {}));
    return { ...parse(serviceSchema, 'GetService', r.data), etag: etagOf(r.headers) };
  }
  async createService(body: Record<string, unknown>): Promise<void> {
    const { serviceName, ...rest } = body as { serviceName: string };
    await this.call('CreateService', (fc) => fc.createService(serviceName, { ...rest }));
  }
  async updateService(name: string, body: Record<string, unknown>, etag?: string): Promise<void> {
    await this.call('UpdateService', (fc) =>
      fc.updateService(name, { ...body }, etag ? { 'if-match': etag } : {}),
    );
  }
  async deleteService(name: string): Promise<void> {
    await this.call('DeleteService', (fc) => fc.deleteService(name, {}));
  }
  listServices(prefix?: string): Promise<FcService[]> {
    return this.listAll('ListServices', 'services', serviceSchema, (fc, q) =>
      fc.listServices({ ...q, ...(prefix ? { prefix } : {}) }),
    );
  }

  async getFunction(service: string, fn: string, qualifier?: string): Promise<WithEtag<FcFunction>> {
    const r = await this.call('GetFunction', (fc) => fc.getFunction(service, fn, {}, qualifier));
    return { ...parse(functionSchema, 'GetFunction', r.data), etag: etagOf(r.headers) };
  }
  async createFunction(service: string, body: Record<string, unknown>): Promise<void> {
    await this.call('CreateFunction', (fc) => fc.createFunction(service, structuredClone(body)));
  }
  async updateFunction(
    service: string,
    fn: string,
    body: Record<string, unknown>,
    etag?: string,
  ): Promise<void> {
    await this.call('UpdateFunction', (fc) =>
      fc.updateFunction(service, fn, structuredClone(body), etag ? { 'if-match': etag } : {}),
    );
  }
  async deleteFunction(service: string, fn: string): Promise<void> {
    await this.call('DeleteFunction', (fc) => fc.deleteFunction(service, fn));
  }
  listFunctions(service: string): Promise<FcFunction[]> {
    return this.listAll('ListFunctions', 'functions', functionSchema, (fc, q) =>
      fc.listFunctions(service, q),
    );
  }
  async getFunctionCode(
    service: string,
    fn: string,
    qualifier?: string,
  ): Promise<{ url: string; checksum?: string }> {
    const r = await this.call('GetFunctionCode', (fc) => fc.getFunctionCode(service, fn, {}, qualifier));
    return parse(codeSchema, 'GetFunctionCode', r.data);
  }
  /** InvokeFunction. A function error is an HTTP 200 with `x-fc-error-type`: returned, not thrown. */
  async invokeFunction(
    service: string,
    fn: string,
    event: Buffer,
    qualifier: string | undefined,
    headers: Record<string, string>,
  ): Promise<Fc2Response> {
    // An invocation may have run when FC answers 5xx: only throttling (the call did not run) is retried.
    return this.call(
      'InvokeFunction',
      (fc) => fc.invokeFunction(service, fn, event, { ...headers }, qualifier, { rawBuf: true }),
      (error) =>
        error.status === 429 ||
        error.providerCode === 'ResourceThrottled' ||
        error.providerCode === 'ResourceExhausted',
    );
  }

  async listTriggers(service: string, fn: string): Promise<FcTrigger[]> {
    const raw = await this.listAll('ListTriggers', 'triggers', triggerSchema, (fc, q) =>
      fc.listTriggers(service, fn, q),
    );
    return raw.map((t) => ({
      triggerName: t.triggerName,
      triggerType: t.triggerType,
      qualifier: t.qualifier,
      sourceArn: t.sourceArn,
      invocationRole: t.invocationRole,
      ...(t.description !== undefined ? { description: t.description } : {}),
      triggerConfig:
        typeof t.triggerConfig === 'string'
          ? (JSON.parse(t.triggerConfig) as Record<string, unknown>)
          : (t.triggerConfig ?? {}),
    }));
  }
  async createTrigger(service: string, fn: string, body: Record<string, unknown>): Promise<void> {
    await this.call('CreateTrigger', (fc) => fc.createTrigger(service, fn, structuredClone(body)));
  }
  async updateTrigger(
    service: string,
    fn: string,
    trigger: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    await this.call('UpdateTrigger', (fc) => fc.updateTrigger(service, fn, trigger, structuredClone(body)));
  }
  async deleteTrigger(service: string, fn: string, trigger: string): Promise<void> {
    await this.call('DeleteTrigger', (fc) => fc.deleteTrigger(service, fn, trigger));
  }

  async publishVersion(service: string, description: string): Promise<FcVersion> {
    const r = await this.call('PublishServiceVersion', (fc) => fc.publishVersion(service, description));
    return parse(versionSchema, 'PublishServiceVersion', r.data);
  }
  listVersions(service: string): Promise<FcVersion[]> {
    return this.listAll('ListServiceVersions', 'versions', versionSchema, (fc, q) =>
      fc.listVersions(service, q),
    );
  }
  async deleteVersion(service: string, versionId: string): Promise<void> {
    await this.call('DeleteServiceVersion', (fc) => fc.deleteVersion(service, versionId));
  }

  listAliases(service: string): Promise<FcAlias[]> {
    return this.listAll('ListAliases', 'aliases', aliasSchema, (fc, q) => fc.listAliases(service, q));
  }
  async createAlias(
    service: string,
    alias: string,
    versionId: string,
    options: { description?: string; additionalVersionWeight?: Record<string, number> },
  ): Promise<void> {
    await this.call('CreateAlias', (fc) => fc.createAlias(service, alias, versionId, { ...options }));
  }
  async updateAlias(
    service: string,
    alias: string,
    versionId: string,
    options: { description?: string; additionalVersionWeight?: Record<string, number> },
  ): Promise<void> {
    await this.call('UpdateAlias', (fc) => fc.updateAlias(service, alias, versionId, { ...options }));
  }
  async deleteAlias(service: string, alias: string): Promise<void> {
    await this.call('DeleteAlias', (fc) => fc.deleteAlias(service, alias));
  }

  async getProvisionTarget(service: string, fn: string, qualifier: string): Promise<number> {
    const r = await this.call('GetProvisionConfig', (fc) => fc.getProvisionConfig(service, fn, qualifier));
    return parse(provisionSchema, 'GetProvisionConfig', r.data).target ?? 0;
  }
  async putProvisionTarget(service: string, fn: string, qualifier: string, target: number): Promise<void> {
    await this.call('PutProvisionConfig', (fc) => fc.putProvisionConfig(service, fn, qualifier, { target }));
  }

  listCustomDomains(): Promise<FcDomain[]> {
    return this.listAll('ListCustomDomains', 'customDomains', domainSchema, (fc, q) =>
      fc.listCustomDomains(q),
    );
  }
  async createCustomDomain(body: Record<string, unknown>): Promise<void> {
    const { domainName, ...rest } = body as { domainName: string };
    await this.call('CreateCustomDomain', (fc) => fc.createCustomDomain(domainName, structuredClone(rest)));
  }
  async updateCustomDomain(domain: string, body: Record<string, unknown>): Promise<void> {
    await this.call('UpdateCustomDomain', (fc) => fc.updateCustomDomain(domain, structuredClone(body)));
  }
  async deleteCustomDomain(domain: string): Promise<void> {
    await this.call('DeleteCustomDomain', (fc) => fc.deleteCustomDomain(domain, {}));
  }

  /**
   * Signs a request to an HTTP trigger (`authType: function`) with fc2's own signer: the `/proxy/`
   * variant of the FC signature, which also signs the sorted query lines.
   */
  signProxyRequest(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: Record<string, string>,
  ): Record<string, string> {
    if (this.options.credentialError) throw this.options.credentialError;
    const all: Record<string, string> = {
      ...headers,
      date: new Date().toUTCString(),
      'x-fc-account-id': this.options.accountId,
      ...(this.options.securityToken && this.options.accessKeyId.startsWith('STS')
        ? { 'x-fc-security-token': this.options.securityToken }
        : {}),
    };
    const queries: Record<string, string | string[]> = {};
    for (const key of new Set(query.keys())) {
      const values = query.getAll(key);
      queries[key] = values.length === 1 ? values[0]! : values;
    }
    all.authorization = FCClient.getSignature(
      this.options.accessKeyId,
      this.options.accessKeySecret,
      method,
      path,
      all,
      queries,
    );
    return all;
  }
}
