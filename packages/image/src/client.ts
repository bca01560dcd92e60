import {
  ConfigurationError,
  LimitExceededError,
  networkFailure,
  ProviderApiError,
  registerSecret,
} from '@faasport/core';
import { type RetryOptions, withRetry } from '@faasport/core/toolkit';
import { type CloudRegistry, cloudCredentials, cloudLoginHint, cloudRegistryOf } from './cloud';
import { dockerCredentials, type RegistryCredentials } from './credentials';
import { sha256Digest } from './layer';
import { formatBytes } from './limits';
import { apiHost } from './reference';

/** The manifest media types a registry may answer with, OCI and Docker (spec "Pulling manifests"). @public */
export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

const acceptManifests = [
  mediaTypes.ociManifest,
  mediaTypes.ociIndex,
  mediaTypes.dockerManifest,
  mediaTypes.dockerList,
].join(', ');

/** A content descriptor (OCI image-spec descriptor.md). @public */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** An OS and CPU architecture, as image indexes list them. @public */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A manifest as fetched: the exact bytes (their digest is the manifest's), the media type, the parsed JSON. @public */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  json: {
    mediaType?: string;
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
  };
}

/** How a blob reached the registry. @public */
export type BlobPush = 'present' | 'mounted' | 'uploaded';

/** Options of {@link RegistryClient}. @public */
export interface RegistryClientOptions {
  /** Plain HTTP: allowed only for a loopback host (127.0.0.1, ::1, localhost). */
  insecure?: boolean;
  /**
   * Credentials, or a function that finds them on the first auth challenge; default: Docker's config
   * (`~/.docker/config.json`, its credential helpers), else the cloud registry's own login (ECR's
   * `GetAuthorizationToken`, SWR's login key from the access key in `env`).
   */
  credentials?: RegistryCredentials | (() => Promise<RegistryCredentials | undefined>);
  /** The environment that locates Docker's config (`DOCKER_CONFIG`, `HOME`). */
  env?: NodeJS.ProcessEnv;
  /** Blobs larger than this go up in chunks of this size (default 16 MiB). */
  chunkSize?: number;
  /** Retry settings (the toolkit's defaults otherwise). */
  retry?: Omit<RetryOptions, 'retryable'>;
  /** Called for each write (upload start, chunk, manifest), e.g. to count them. */
  onWrite?: (event: { method: string; path: string }) => void;
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The parameters of a `WWW-Authenticate` challenge (RFC 7235 auth-param list). */
function challengeParams(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.trim().split(/\s+/, 1)[0]!.toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(scheme.length).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

/**
 * A small client of the OCI distribution API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md)
 * for one registry: manifests and blobs, monolithic and chunked uploads, cross-repository mounts,
 * Bearer token and Basic auth. Every request goes through the toolkit's `withRetry`; credentials are
 * registered as secrets and never appear in an error.
 *
 * @public
 */
export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private credentials: RegistryCredentials | undefined;
  private findCredentials: (() => Promise<RegistryCredentials | undefined>) | undefined;
  private readonly cloud: CloudRegistry | undefined;
  private login: Promise<RegistryCredentials | undefined> | undefined;
  private readonly tokens = new Map<string, string>();
  private readonly options: RegistryClientOptions;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    this.options = options;
    const host = apiHost(registry);
    if (options.insecure && !loopback.has(host.replace(/:\d+$/, '')))
      throw new ConfigurationError(
        `Plain HTTP to the registry ${registry} is refused: \`insecure: true\` is for a registry on loopback (127.0.0.1, ::1, localhost).`,
        { option: 'registry.insecure', hint: 'Serve the registry over HTTPS, or run it on this machine.' },
      );
    this.base = `${options.insecure ? 'http' : 'https'}://${host}`;
    this.cloud = cloudRegistryOf(registry);
    const given = options.credentials;
    if (typeof given === 'function') this.findCredentials = given;
    else this.credentials = given ?? dockerCredentials(registry, options.env);
    const cloud = this.cloud;
    if (!this.credentials && !this.findCredentials && cloud)
      this.findCredentials = () => cloudCredentials(cloud, options.env ?? process.env);
    if (this.credentials) registerSecret(this.credentials.password);
  }

  /** The credentials, looked up once by the credential function on the first challenge (shared by concurrent ones). */
  private loginCredentials(): Promise<RegistryCredentials | undefined> {
    const find = this.findCredentials;
    if (!find) return Promise.resolve(this.credentials);
    this.login ??= find().then((found) => {
      if (found) registerSecret(found.password);
      this.credentials = found;
      this.findCredentials = undefined;
      return found;
    });
    return this.login;
  }

  /** Spec "Pulling manifests": GET (or HEAD) /v2/<name>/manifests/<reference>. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const response = await this.request('GET', repository, `manifests/${reference}`, 'pull', {
      headers: { accept: acceptManifests },
      operation: `GET manifest ${repository}:${reference}`,
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const json = JSON.parse(new TextDecoder().decode(bytes)) as FetchedManifest['json'];
    const mediaType = json.mediaType ?? response.headers.get('content-type')?.split(';')[0] ?? '';
    return { digest: sha256Digest(bytes), mediaType, bytes, json };
  }

  /** The digest a tag or digest points at, or undefined when the registry has no such manifest. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const response = await this.request('HEAD', repository, `manifests/${reference}`, 'pull', {
      headers: { accept: acceptManifests },
      operation: `HEAD manifest ${repository}:${reference}`,
      allow: [404],
    });
    if (response.status === 404) return undefined;
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  /** Spec "Checking if content exists in the registry": HEAD /v2/<name>/blobs/<digest>. */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', repository, `blobs/${digest}`, 'pull', {
      operation: `HEAD blob ${repository}@${digest}`,
      allow: [404],
    });
    return response.status !== 404;
  }

  /** Spec "Pulling blobs": GET /v2/<name>/blobs/<digest>; the bytes are checked against the digest. */
  async getBlob(repository: string, digest: string): Promise<Uint8Array> {
    const response = await this.request('GET', repository, `blobs/${digest}`, 'pull', {
      operation: `GET blob ${repository}@${digest}`,
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256Digest(bytes) !== digest)
      throw new ProviderApiError({
        adapter: 'registry',
        operation: `GET blob ${repository}@${digest}`,
        providerMessage: `the registry sent bytes whose digest is ${sha256Digest(bytes)}`,
      });
    return bytes;
  }

  /**
   * Puts a blob unless the repository has it: a cross-repository mount from `mountFrom` when given
   * (spec "Mounting a blob from another repository"), else a monolithic upload (POST, then PUT
   * `?digest=`), or a chunked one (PATCH with `Content-Range`) when it is larger than the chunk size.
   * `content` may be a function, called only when the bytes must be uploaded.
   */
  async pushBlob(
    repository: string,
    digest: string,
    content: Uint8Array | (() => Promise<Uint8Array>),
    mountFrom?: string,
  ): Promise<BlobPush> {
    if (await this.hasBlob(repository, digest)) return 'present';
    const query = mountFrom
      ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`
      : '';
    const scopes = mountFrom ? [`repository:${mountFrom}:pull`] : [];
    const start = await this.request('POST', repository, `blobs/uploads/${query}`, 'pull,push', {
      operation: `POST upload ${repository}`,
      extraScopes: scopes,
    });
    if (start.status === 201) return 'mounted';
    let location = this.location(start, repository);
    const data = typeof content === 'function' ? await content() : content;
    const chunkSize = this.options.chunkSize ?? 16 * 1024 * 1024;
    let body: Uint8Array | undefined = data;
    if (data.length > chunkSize) {
      // Spec "Pushing a blob in chunks": each PATCH carries `Content-Range: <start>-<end>` (inclusive).
      for (let offset = 0; offset < data.length; offset += chunkSize) {
        const chunk = data.subarray(offset, Math.min(offset + chunkSize, data.length));
        const patched = await this.request('PATCH', repository, location, 'pull,push', {
          operation: `PATCH upload ${repository}`,
          body: chunk,
          blob: { digest, size: data.length },
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${offset}-${offset + chunk.length - 1}`,
          },
        });
        location = this.location(patched, repository);
      }
      body = undefined;
    }
    const separator = location.includes('?') ? '&' : '?';
    await this.request(
      'PUT',
      repository,
      `${location}${separator}digest=${encodeURIComponent(digest)}`,
      'pull,push',
      {
        operation: `PUT blob ${repository}@${digest}`,
        body: body ?? new Uint8Array(0),
        blob: { digest, size: data.length },
        headers: { 'content-type': 'application/octet-stream' },
      },
    );
    return 'uploaded';
  }

  /** Spec "Pushing manifests": PUT /v2/<name>/manifests/<reference>; returns the manifest's digest. */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<string> {
    await this.request('PUT', repository, `manifests/${reference}`, 'pull,push', {
      operation: `PUT manifest ${repository}:${reference}`,
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    return sha256Digest(bytes);
  }

  /** The upload URL of a response (spec: `Location`, absolute or relative to the registry). */
  private location(response: Response, repository: string): string {
    const location = response.headers.get('location');
    if (!location)
      throw new ProviderApiError({
        adapter: 'registry',
        operation: `upload ${repository}`,
        status: response.status,
        providerMessage: 'the registry answered without a Location header',
      });
    return new URL(location, this.base).toString();
  }

  /** One API call, retried through the toolkit, answering an auth challenge once. */
  private async request(
    method: string,
    repository: string,
    path: string,
    actions: string,
    init: {
      operation: string;
      headers?: Record<string, string>;
      body?: Uint8Array;
      allow?: number[];
      extraScopes?: string[];
      /** The blob an upload carries, named when the registry refuses it as too large. */
      blob?: { digest: string; size: number };
    },
  ): Promise<Response> {
    const url = /^https?:/.test(path) ? path : `${this.base}/v2/${repository}/${path}`;
    const scopes = [`repository:${repository}:${actions}`, ...(init.extraScopes ?? [])];
    const scopeKey = scopes.join(' ');
    if (method !== 'GET' && method !== 'HEAD')
      this.options.onWrite?.({ method, path: new URL(url).pathname });
    return withRetry(async () => {
      let response = await this.send(method, url, init, this.tokens.get(scopeKey));
      if (response.status === 401) {
        const token = await this.authenticate(response, scopes, init.operation);
        this.tokens.set(scopeKey, token);
        response = await this.send(method, url, init, token);
      }
      if (response.ok || init.allow?.includes(response.status)) return response;
      throw await this.failure(response, init.operation, init.blob);
    }, this.options.retry);
  }

  private async send(
    method: string,
    url: string,
    init: { operation: string; headers?: Record<string, string>; body?: Uint8Array },
    authorization: string | undefined,
  ): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        headers: { ...init.headers, ...(authorization ? { authorization } : {}) },
        // fetch sets Content-Length from the bytes (spec: required on uploads).
        ...(init.body ? { body: init.body as Uint8Array<ArrayBuffer> } : {}),
        redirect: 'follow',
      });
    } catch (error) {
      throw networkFailure({
        adapter: 'registry',
        operation: init.operation,
        endpoint: url,
        error,
        hint: `Check that the registry ${this.registry} is running and reachable${this.base.startsWith('http:') ? '' : ', and whether it needs `insecure: true` (plain HTTP on loopback)'}.`,
      });
    }
  }

  /**
   * Answers a `WWW-Authenticate` challenge: Basic sends the credentials; Bearer fetches a token from
   * the realm with the service and scopes (https://distribution.github.io/distribution/spec/auth/token/),
   * with the credentials as Basic auth when there are any (anonymous pulls work without).
   */
  private async authenticate(response: Response, scopes: string[], operation: string): Promise<string> {
    const { scheme, params } = challengeParams(response.headers.get('www-authenticate') ?? '');
    const credentials = await this.loginCredentials();
    const basic = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : undefined;
    if (basic) registerSecret(basic.slice(6));
    if (scheme === 'basic') {
      if (!basic) throw this.unauthorised(operation);
      return basic;
    }
    if (scheme !== 'bearer' || !params.realm) throw this.unauthorised(operation);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    let tokenResponse: Response;
    try {
      tokenResponse = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    } catch (error) {
      throw networkFailure({
        adapter: 'registry',
        operation: `token for ${operation}`,
        endpoint: url.toString(),
        error,
      });
    }
    if (tokenResponse.status === 401 || tokenResponse.status === 403) throw this.unauthorised(operation);
    if (!tokenResponse.ok) throw await this.failure(tokenResponse, `token for ${operation}`);
    const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw this.unauthorised(operation);
    registerSecret(token);
    return `Bearer ${token}`;
  }

  private unauthorised(operation: string): ProviderApiError {
    return new ProviderApiError(
      {
        adapter: 'registry',
        operation,
        status: 401,
        providerCode: 'UNAUTHORIZED',
        providerMessage: this.credentials
          ? `the registry ${this.registry} refused the credentials`
          : `the registry ${this.registry} needs credentials and none were found`,
      },
      {
        hint: this.cloud
          ? cloudLoginHint(this.cloud)
          : `Log in with \`docker login ${this.registry}\` (or add a credential helper for ${this.registry} to ~/.docker/config.json).`,
      },
    );
  }

  /** An error response (spec "Error Codes": `{"errors":[{"code","message","detail"}]}`) as a faasport error. */
  private async failure(
    response: Response,
    operation: string,
    blob?: { digest: string; size: number },
  ): Promise<Error> {
    if (response.status === 401 || response.status === 403) return this.unauthorised(operation);
    let code: string | undefined;
    let message: string | undefined;
    try {
      const body = (await response.json()) as { errors?: Array<{ code?: string; message?: string }> };
      code = body.errors?.[0]?.code;
      message = body.errors?.map((e) => e.message).join('; ');
    } catch {
      // No JSON body (HEAD, a proxy's page): the status says it.
    }
    if (response.status === 413)
      // 413 Payload Too Large (RFC 9110 §15.5.14): the registry, or a proxy in front of it, caps a request body.
      return new LimitExceededError(
        {
          limit: blob ? `blob ${blob.digest} size` : `${operation} request size`,
          actual: blob ? formatBytes(blob.size) : 'too large',
          allowed: `what the registry ${this.registry} accepts (${operation} answered 413 Payload Too Large)`,
          target: this.registry,
        },
        {
          hint: "Make the layer smaller (exclude files the function does not need), or raise the registry's (or its proxy's) body size limit and run again: blobs already pushed are kept and only the rest go up. Set registry.maxLayerBytes to refuse such a layer before the upload.",
        },
      );
    return new ProviderApiError({
      adapter: 'registry',
      operation,
      status: response.status,
      ...(code ? { providerCode: code } : {}),
      ...(message ? { providerMessage: message } : {}),
    });
  }
}
