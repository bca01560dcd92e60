/**
 * The Lambda control-plane calls the faasport adapter and the aws CLI make, at the REST-JSON paths of
 * aws-sdk-js-v3 `clients/client-lambda/src/schemas/schemas_0.ts` (CreateFunction `POST
 * /2015-03-31/functions`, UpdateFunctionCode `PUT …/{FunctionName}/code`, PublishVersion `POST …/versions`,
 * aliases, AddPermission `POST …/policy`, PutFunctionConcurrency `PUT /2017-10-31/…/concurrency`,
 * provisioned concurrency `/2019-09-30/…/provisioned-concurrency`, function URLs `/2021-10-31/…/url`,
 * event source mappings, tags `/2017-03-31/tags/{ARN}`). Field rules follow the API reference pages
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html and siblings).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type ApiAnswer, functionArnOf, type LambdaEmuState, parseFunctionName } from './context';
import { LambdaApiError, lambdaErrors } from './errors';
import type { AliasState, CodeState, FunctionConfigState, FunctionState, MappingState } from './state';

/** Runtimes Lambda still takes for new and updated functions (Runtime enum of the SDK, minus blocked ones). */
export const supportedRuntimes = [
  'nodejs22.x',
  'nodejs24.x',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'java21',
  'java25',
  'dotnet8',
  'ruby3.3',
  'ruby3.4',
  'provided.al2023',
  'provided.al2',
];
/** Deprecated runtimes whose create and update Lambda blocks ("Lambda runtimes", deprecated runtimes table). */
export const blockedRuntimes = ['nodejs20.x', 'nodejs18.x', 'nodejs16.x', 'python3.9', 'python3.8'];

const now = () => new Date().toISOString().replace('Z', '+0000');
type Body = Record<string, unknown>;

function requireFunction(em: LambdaEmuState, name: string): FunctionState {
  const fn = em.functions.get(name);
  if (!fn) throw lambdaErrors.functionNotFound(functionArnOf(em, name));
  return fn;
}

/** The version a qualifier names; aliases resolve to their main version (not the weighted pick). */
export function versionOf(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string | undefined,
): { config: FunctionConfigState; code: CodeState } {
  if (!qualifier || qualifier === '$LATEST') return { config: fn.latest, code: fn.latestCode };
  const alias = fn.aliases.get(qualifier);
  const version = alias ? alias.FunctionVersion : qualifier;
  if (version === '$LATEST') return { config: fn.latest, code: fn.latestCode };
  const found = fn.versions.find((v) => v.config.Version === version);
  if (!found) throw lambdaErrors.functionNotFound(functionArnOf(em, fn.name, qualifier));
  return found;
}

/** The version an invocation of a qualifier runs: an alias picks by its routing weights. */
export function pickVersion(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string | undefined,
): { config: FunctionConfigState; code: CodeState } {
  const alias = qualifier ? fn.aliases.get(qualifier) : undefined;
  if (alias?.RoutingConfig) {
    let roll = em.random();
    for (const [version, weight] of Object.entries(alias.RoutingConfig.AdditionalVersionWeights)) {
      if (roll < weight) return versionOf(em, fn, version);
      roll -= weight;
    }
  }
  return versionOf(em, fn, qualifier);
}

function checkConfig(body: Body, packageType: string): void {
  const int = (key: string, min: number, max: number) => {
    const v = body[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw lambdaErrors.invalidParameter(
        `1 validation error detected: Value '${String(v)}' at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
      );
  };
  int('MemorySize', 128, 10_240);
  int('Timeout', 1, 900);
  const storage = (body.EphemeralStorage as { Size?: number } | undefined)?.Size;
  if (storage !== undefined && (storage < 512 || storage > 10_240))
    throw lambdaErrors.invalidParameter(
      `Value '${storage}' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240`,
    );
  if (
    body.Role !== undefined &&
    !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(String(body.Role))
  )
    throw lambdaErrors.invalidParameter(
      `Value '${String(body.Role)}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
    );
  if (typeof body.Description === 'string' && body.Description.length > 256)
    throw lambdaErrors.invalidParameter(
      "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  if (body.Runtime !== undefined) {
    const runtime = String(body.Runtime);
    if (blockedRuntimes.includes(runtime))
      throw lambdaErrors.invalidParameter(
        `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
      );
    if (!supportedRuntimes.includes(runtime))
      throw lambdaErrors.invalidParameter(
        `Value '${runtime}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${supportedRuntimes.join(', ')}]`,
      );
  } else if (packageType === 'Zip' && body.Handler !== undefined) {
    throw lambdaErrors.invalidParameter(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  }
  const vars = (body.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
  const size = Object.entries(vars).reduce(
    (s, [k, v]) => s + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
    0,
  );
  if (size > 4096)
    throw lambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size}`,
    );
}

function codeOf(body: Body): { code: CodeState; sha: string; size: number } {
  if (typeof body.ZipFile === 'string') {
    const zip = new Uint8Array(Buffer.from(body.ZipFile, 'base64'));
    if (zip.length > 50 * 1024 * 1024)
      throw lambdaErrors.tooLarge(
        'Request must be smaller than 69905067 bytes for the CreateFunction operation',
      );
    if (zip[0] !== 0x50 || zip[1] !== 0x4b)
      throw lambdaErrors.invalidParameter(
        'Could not unzip uploaded file. Please check your file, then try to upload again.',
      );
    return { code: { zip }, sha: createHash('sha256').update(zip).digest('base64'), size: zip.length };
  }
  if (typeof body.S3Bucket === 'string' && typeof body.S3Key === 'string') {
    const ref = `${body.S3Bucket}/${body.S3Key}`;
    return {
      code: { s3: { bucket: body.S3Bucket, key: body.S3Key } },
      sha: createHash('sha256').update(ref).digest('base64'),
      size: 0,
    };
  }
  if (typeof body.ImageUri === 'string')
    return {
      code: { imageUri: body.ImageUri },
      sha: createHash('sha256').update(body.ImageUri).digest('hex'),
      size: 0,
    };
  throw lambdaErrors.invalidParameter('Please provide a source for function code.');
}

function applyConfig(config: FunctionConfigState, body: Body): void {
  for (const key of ['Role', 'Handler', 'Runtime', 'Description', 'Timeout', 'MemorySize'] as const)
    if (body[key] !== undefined) (config as unknown as Body)[key] = body[key];
  if (body.Environment !== undefined)
    config.Environment = {
      Variables: { ...((body.Environment as { Variables?: Record<string, string> }).Variables ?? {}) },
    };
  if (body.EphemeralStorage !== undefined)
    config.EphemeralStorage = { Size: (body.EphemeralStorage as { Size: number }).Size };
  if (body.ImageConfig !== undefined)
    config.ImageConfigResponse = { ImageConfig: body.ImageConfig as Record<string, unknown> };
  config.LastModified = now();
  config.RevisionId = randomUUID();
}

/** The GetFunction answer of a version. */
function getFunction(em: LambdaEmuState, fn: FunctionState, qualifier?: string): Body {
  const { config, code } = versionOf(em, fn, qualifier);
  return {
    Configuration: config,
    Code: code.imageUri
      ? { RepositoryType: 'ECR', ImageUri: code.imageUri }
      : { RepositoryType: 'S3', Location: `${em.url}/_code/${fn.name}/${config.Version}` },
    Tags: fn.tags,
    ...(fn.reserved !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reserved } } : {}),
  };
}

function aliasBody(
  em: LambdaEmuState,
  fn: FunctionState,
  body: Body,
  name: string,
  existing?: AliasState,
): AliasState {
  const version = String(body.FunctionVersion ?? existing?.FunctionVersion ?? '');
  if (version !== '$LATEST' && !fn.versions.some((v) => v.config.Version === version))
    throw lambdaErrors.notFound(`Function not found: ${functionArnOf(em, fn.name, version)}`);
  const weights = (body.RoutingConfig as { AdditionalVersionWeights?: Record<string, number> } | undefined)
    ?.AdditionalVersionWeights;
  const routing =
    body.RoutingConfig === undefined
      ? existing?.RoutingConfig
      : weights && Object.keys(weights).length
        ? { AdditionalVersionWeights: weights }
        : undefined;
  if (routing) {
    const entries = Object.entries(routing.AdditionalVersionWeights);
    // API_AliasRoutingConfiguration: one additional version, weight 0.0-1.0, not the primary one.
    if (entries.length > 1)
      throw lambdaErrors.invalidParameter(
        'Number of items in AdditionalVersionWeights cannot be greater than 1',
      );
    for (const [v, w] of entries) {
      if (typeof w !== 'number' || w < 0 || w > 1)
        throw lambdaErrors.invalidParameter(
          `Value '${w}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Member must have value between 0.0 and 1.0`,
        );
      if (v === version)
        throw lambdaErrors.invalidParameter(
          'Invalid function version in RoutingConfig: the additional version must differ from the primary version',
        );
      if (!fn.versions.some((x) => x.config.Version === v))
        throw lambdaErrors.notFound(`Function not found: ${functionArnOf(em, fn.name, v)}`);
    }
  }
  return {
    Name: name,
    AliasArn: functionArnOf(em, fn.name, name),
    FunctionVersion: version,
    Description: String(body.Description ?? existing?.Description ?? ''),
    ...(routing ? { RoutingConfig: routing } : {}),
    RevisionId: randomUUID(),
  };
}

function urlBody(
  em: LambdaEmuState,
  fn: FunctionState,
  qualifier: string,
  body: Body,
  existing?: ReturnType<FunctionState['urls']['get']>,
) {
  const auth = body.AuthType ?? existing?.AuthType;
  if (auth !== 'NONE' && auth !== 'AWS_IAM')
    throw lambdaErrors.invalidParameter(
      `Value '${String(auth)}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]`,
    );
  const id =
    existing?.id ??
    createHash('sha256').update(`${fn.name}:${qualifier}:${randomUUID()}`).digest('hex').slice(0, 32);
  const time = new Date().toISOString();
  return {
    FunctionUrl: `${em.url}/_url/${id}/`,
    FunctionArn: functionArnOf(em, fn.name, qualifier === '$LATEST' ? undefined : qualifier),
    AuthType: auth,
    ...((body.Cors ?? existing?.Cors)
      ? { Cors: (body.Cors ?? existing?.Cors) as Record<string, unknown> }
      : {}),
    InvokeMode:
      (body.InvokeMode as 'BUFFERED' | 'RESPONSE_STREAM' | undefined) ?? existing?.InvokeMode ?? 'BUFFERED',
    CreationTime: existing?.CreationTime ?? time,
    LastModifiedTime: time,
    id,
    qualifier,
  } as const;
}

const publicUrl = ({
  id: _id,
  qualifier: _q,
  ...rest
}: {
  id: string;
  qualifier: string;
  [k: string]: unknown;
}) => rest;

/** Handles `/2015-03-31/functions…`, `/2017-10-31/…/concurrency`, `/2019-09-30/…`, `/2021-10-31/…/url`. */
export function functionsApi(
  em: LambdaEmuState,
  method: string,
  segments: string[],
  query: URLSearchParams,
  body: Body,
): ApiAnswer {
  const [, , rawName, sub, subName] = segments;
  if (rawName === undefined) {
    if (method === 'GET') {
      const all = [...em.functions.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      const start = Number(query.get('Marker') ?? 0);
      const max = Number(query.get('MaxItems') ?? 50);
      const page = all.slice(start, start + max);
      return {
        status: 200,
        body: {
          Functions: page.map((f) => f.latest),
          ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
        },
      };
    }
    if (method === 'POST') return createFunction(em, body);
    throw lambdaErrors.unsupportedPath(method, segments.join('/'));
  }
  const { name, qualifier: nameQualifier } = parseFunctionName(decodeURIComponent(rawName));
  const qualifier = query.get('Qualifier') ?? nameQualifier;
  if (sub === undefined) {
    if (method === 'GET') return { status: 200, body: getFunction(em, requireFunction(em, name), qualifier) };
    if (method === 'DELETE') {
      const fn = requireFunction(em, name);
      if (qualifier && qualifier !== '$LATEST') {
        fn.versions = fn.versions.filter((v) => v.config.Version !== qualifier);
        return { status: 204 };
      }
      em.functions.delete(name);
      for (const [id, m] of em.mappings)
        if (parseFunctionName(m.FunctionArn).name === name) em.mappings.delete(id);
      return { status: 204 };
    }
  }
  const fn = requireFunction(em, name);
  switch (`${method} ${sub}`) {
    case 'GET configuration':
      return { status: 200, body: versionOf(em, fn, qualifier).config };
    case 'PUT configuration': {
      checkConfig(body, fn.latest.PackageType);
      applyConfig(fn.latest, body);
      return { status: 200, body: fn.latest };
    }
    case 'PUT code': {
      const { code, sha, size } = codeOf(body);
      fn.latestCode = code;
      fn.latest.CodeSha256 = sha;
      fn.latest.CodeSize = size;
      if (Array.isArray(body.Architectures)) fn.latest.Architectures = body.Architectures as string[];
      fn.latest.LastModified = now();
      fn.latest.RevisionId = randomUUID();
      return { status: 200, body: fn.latest };
    }
    case 'POST versions': {
      const last = fn.versions[fn.versions.length - 1];
      // PublishVersion publishes nothing when code and configuration equal the last version's.
      const key = (c: FunctionConfigState) =>
        JSON.stringify([
          c.CodeSha256,
          c.Runtime,
          c.Handler,
          c.Role,
          c.Timeout,
          c.MemorySize,
          c.Environment,
          c.EphemeralStorage,
          c.ImageConfigResponse,
        ]);
      if (last && key(last.config) === key(fn.latest)) return { status: 201, body: last.config };
      if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.latest.CodeSha256)
        throw lambdaErrors.invalidParameter('CodeSHA256 does not match the code of $LATEST');
      const version = String(Number(last?.config.Version ?? 0) + 1);
      const config: FunctionConfigState = {
        ...structuredClone(fn.latest),
        Version: version,
        FunctionArn: functionArnOf(em, name, version),
        Description: String(body.Description ?? fn.latest.Description),
      };
      fn.versions.push({ config, code: fn.latestCode });
      return { status: 201, body: config };
    }
    case 'GET versions': {
      const all = [fn.latest, ...fn.versions.map((v) => v.config)];
      return { status: 200, body: { Versions: all } };
    }
    case 'POST aliases': {
      const aliasName = String(body.Name ?? '');
      if (!/^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/.test(aliasName) || aliasName.length > 128)
        throw lambdaErrors.invalidParameter(
          `Value '${aliasName}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`,
        );
      if (fn.aliases.has(aliasName))
        throw lambdaErrors.conflict(`Alias already exists: ${functionArnOf(em, name, aliasName)}`);
      const alias = aliasBody(em, fn, body, aliasName);
      fn.aliases.set(aliasName, alias);
      return { status: 201, body: alias };
    }
    case 'GET aliases':
      if (subName === undefined) return { status: 200, body: { Aliases: [...fn.aliases.values()] } };
      return { status: 200, body: requireAlias(em, fn, subName) };
    case 'PUT aliases': {
      const existing = requireAlias(em, fn, subName!);
      const alias = aliasBody(em, fn, body, existing.Name, existing);
      fn.aliases.set(existing.Name, alias);
      return { status: 200, body: alias };
    }
    case 'DELETE aliases':
      fn.aliases.delete(subName!);
      fn.urls.delete(subName!);
      return { status: 204 };
    case 'POST policy': {
      const sid = String(body.StatementId ?? '');
      const list = fn.policies.get(qualifier ?? '$LATEST') ?? [];
      if (list.some((s) => s.Sid === sid))
        throw lambdaErrors.conflict(
          `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      // The conditions Lambda writes for FunctionUrlAuthType, SourceAccount and SourceArn (API_AddPermission).
      const equals = {
        ...(body.FunctionUrlAuthType ? { 'lambda:FunctionUrlAuthType': body.FunctionUrlAuthType } : {}),
        ...(body.SourceAccount ? { 'AWS:SourceAccount': body.SourceAccount } : {}),
      };
      const condition = {
        ...(Object.keys(equals).length ? { StringEquals: equals } : {}),
        ...(body.SourceArn ? { ArnLike: { 'AWS:SourceArn': body.SourceArn } } : {}),
      };
      const statement = {
        Sid: sid,
        Effect: 'Allow',
        Principal: body.Principal === '*' ? '*' : { Service: body.Principal },
        Action: body.Action,
        Resource: functionArnOf(em, name, qualifier),
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      };
      list.push(statement);
      fn.policies.set(qualifier ?? '$LATEST', list);
      return { status: 201, body: { Statement: JSON.stringify(statement) } };
    }
    case 'GET policy': {
      const list = fn.policies.get(qualifier ?? '$LATEST') ?? [];
      if (!list.length) throw lambdaErrors.notFound('The resource you requested does not exist.');
      return {
        status: 200,
        body: {
          Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: list }),
          RevisionId: randomUUID(),
        },
      };
    }
    case 'DELETE policy': {
      const list = fn.policies.get(qualifier ?? '$LATEST') ?? [];
      if (!list.some((s) => s.Sid === subName))
        throw lambdaErrors.notFound(`Statement ${subName} is not found in resource policy.`);
      fn.policies.set(
        qualifier ?? '$LATEST',
        list.filter((s) => s.Sid !== subName),
      );
      return { status: 204 };
    }
    case 'PUT concurrency': {
      const n = body.ReservedConcurrentExecutions;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000)
        throw lambdaErrors.invalidParameter(
          `Value '${String(n)}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value between 0 and 1000`,
        );
      fn.reserved = n;
      return { status: 200, body: { ReservedConcurrentExecutions: n } };
    }
    case 'GET concurrency':
      return {
        status: 200,
        body: fn.reserved === undefined ? {} : { ReservedConcurrentExecutions: fn.reserved },
      };
    case 'DELETE concurrency':
      delete fn.reserved;
      return { status: 204 };
    case 'PUT provisioned-concurrency': {
      if (!qualifier || qualifier === '$LATEST')
        throw lambdaErrors.invalidParameter(
          'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
        );
      versionOf(em, fn, qualifier);
      const n = Number(body.ProvisionedConcurrentExecutions);
      if (!Number.isInteger(n) || n < 1)
        throw lambdaErrors.invalidParameter(
          "Value at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
        );
      if (fn.reserved !== undefined && n > fn.reserved)
        throw lambdaErrors.invalidParameter(
          `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function: ${n} > ${fn.reserved}`,
        );
      fn.provisioned.set(qualifier, n);
      return { status: 202, body: provisionedBody(n) };
    }
    case 'GET provisioned-concurrency': {
      const n = qualifier ? fn.provisioned.get(qualifier) : undefined;
      if (n === undefined) throw lambdaErrors.provisionedNotFound();
      return { status: 200, body: provisionedBody(n) };
    }
    case 'DELETE provisioned-concurrency':
      if (!qualifier || !fn.provisioned.delete(qualifier)) throw lambdaErrors.provisionedNotFound();
      return { status: 204 };
    case 'POST url': {
      const q = qualifier ?? '$LATEST';
      if (q !== '$LATEST' && !fn.aliases.has(q))
        throw lambdaErrors.notFound(`Function not found: ${functionArnOf(em, name, q)}`);
      if (fn.urls.has(q))
        throw lambdaErrors.conflict(
          `Failed to create function url config for [functionArn = ${functionArnOf(em, name, q)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      const url = urlBody(em, fn, q, body);
      fn.urls.set(q, url as never);
      return { status: 201, body: publicUrl(url) };
    }
    case 'GET url':
    case 'PUT url':
    case 'DELETE url': {
      const q = qualifier ?? '$LATEST';
      const existing = fn.urls.get(q);
      if (!existing) throw lambdaErrors.notFound('The resource you requested does not exist.');
      if (method === 'DELETE') {
        fn.urls.delete(q);
        return { status: 204 };
      }
      if (method === 'GET') return { status: 200, body: publicUrl(existing as never) };
      const url = urlBody(em, fn, q, body, existing);
      fn.urls.set(q, url as never);
      return { status: 200, body: publicUrl(url) };
    }
  }
  throw lambdaErrors.unsupportedPath(method, segments.join('/'));
}

function requireAlias(em: LambdaEmuState, fn: FunctionState, name: string): AliasState {
  const alias = fn.aliases.get(name);
  if (!alias) throw lambdaErrors.notFound(`Cannot find alias arn: ${functionArnOf(em, fn.name, name)}`);
  return alias;
}

function provisionedBody(n: number) {
  return {
    RequestedProvisionedConcurrentExecutions: n,
    AvailableProvisionedConcurrentExecutions: n,
    AllocatedProvisionedConcurrentExecutions: n,
    Status: 'READY',
    LastModified: new Date().toISOString(),
  };
}

function createFunction(em: LambdaEmuState, body: Body): ApiAnswer {
  const name = String(body.FunctionName ?? '');
  if (!/^[a-zA-Z0-9-_]{1,64}$/.test(name))
    throw lambdaErrors.invalidParameter(
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  if (em.functions.has(name)) throw lambdaErrors.conflict(`Function already exist: ${name}`);
  if (typeof body.Role !== 'string')
    throw lambdaErrors.invalidParameter(
      "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
    );
  const packageType = (body.PackageType as 'Zip' | 'Image' | undefined) ?? 'Zip';
  if (packageType === 'Zip' && (body.Runtime === undefined || body.Handler === undefined))
    throw lambdaErrors.invalidParameter(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  checkConfig(body, packageType);
  const { code, sha, size } = codeOf((body.Code as Body | undefined) ?? {});
  const config: FunctionConfigState = {
    FunctionName: name,
    FunctionArn: functionArnOf(em, name),
    Role: body.Role,
    CodeSize: size,
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: now(),
    CodeSha256: sha,
    Version: '$LATEST',
    PackageType: packageType,
    EphemeralStorage: { Size: 512 },
    Architectures: (body.Architectures as string[] | undefined) ?? ['x86_64'],
    State: 'Active',
    LastUpdateStatus: 'Successful',
    RevisionId: randomUUID(),
  };
  applyConfig(config, body);
  const fn: FunctionState = {
    name,
    latest: config,
    latestCode: code,
    versions: [],
    aliases: new Map(),
    urls: new Map(),
    policies: new Map(),
    provisioned: new Map(),
    tags: { ...((body.Tags as Record<string, string> | undefined) ?? {}) },
  };
  em.functions.set(name, fn);
  if (body.Publish === true)
    functionsApi(em, 'POST', ['2015-03-31', 'functions', name, 'versions'], new URLSearchParams(), {});
  return { status: 201, body: config };
}

/** Tags: `/2017-03-31/tags/{ARN}` (TagResource, UntagResource, ListTags). */
export function tagsApi(
  em: LambdaEmuState,
  method: string,
  arn: string,
  query: URLSearchParams,
  body: Body,
): ApiAnswer {
  const fn = requireFunction(em, parseFunctionName(arn).name);
  if (method === 'GET') return { status: 200, body: { Tags: fn.tags } };
  if (method === 'POST') {
    Object.assign(fn.tags, (body.Tags as Record<string, string> | undefined) ?? {});
    return { status: 204 };
  }
  if (method === 'DELETE') {
    for (const key of query.getAll('tagKeys')) delete fn.tags[key];
    return { status: 204 };
  }
  throw lambdaErrors.unsupportedPath(method, `tags/${arn}`);
}

/** Event source mappings: `/2015-03-31/event-source-mappings[/{UUID}]`. */
export function mappingsApi(
  em: LambdaEmuState,
  method: string,
  uuid: string | undefined,
  query: URLSearchParams,
  body: Body,
): ApiAnswer {
  if (!uuid && method === 'GET') {
    const filter = query.get('FunctionName');
    const source = query.get('EventSourceArn');
    const target = filter ? parseFunctionName(filter) : undefined;
    const list = [...em.mappings.values()].filter((m) => {
      const of = parseFunctionName(m.FunctionArn);
      return (
        (!target || (of.name === target.name && (of.qualifier ?? '') === (target.qualifier ?? ''))) &&
        (!source || m.EventSourceArn === source)
      );
    });
    return { status: 200, body: { EventSourceMappings: list } };
  }
  if (!uuid && method === 'POST') {
    const target = parseFunctionName(String(body.FunctionName ?? ''));
    const fn = requireFunction(em, target.name);
    if (target.qualifier) versionOf(em, fn, target.qualifier);
    const source = String(body.EventSourceArn ?? '');
    if (!/^arn:aws[a-zA-Z-]*:(sqs|kinesis|dynamodb|kafka|mq):/.test(source))
      throw lambdaErrors.invalidParameter(`Unsupported event source type: ${source}`);
    const batch = Number(body.BatchSize ?? 10);
    if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
      throw lambdaErrors.invalidParameter(
        "Value at 'batchSize' failed to satisfy constraint: Member must have value between 1 and 10000",
      );
    const id = randomUUID();
    const mapping: MappingState = {
      UUID: id,
      EventSourceArn: source,
      FunctionArn: functionArnOf(em, target.name, target.qualifier),
      BatchSize: batch,
      MaximumBatchingWindowInSeconds: Number(body.MaximumBatchingWindowInSeconds ?? 0),
      State: body.Enabled === false ? 'Disabled' : 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      LastModified: Math.floor(Date.now() / 1000),
      EventSourceMappingArn: `arn:aws:lambda:${em.region}:${em.accountId}:event-source-mapping:${id}`,
    };
    em.mappings.set(id, mapping);
    return { status: 202, body: mapping };
  }
  const mapping = uuid ? em.mappings.get(uuid) : undefined;
  if (!mapping) throw lambdaErrors.notFound('The resource you requested does not exist.');
  if (method === 'GET') return { status: 200, body: mapping };
  if (method === 'PUT') {
    if (body.BatchSize !== undefined) mapping.BatchSize = Number(body.BatchSize);
    if (body.Enabled !== undefined) mapping.State = body.Enabled ? 'Enabled' : 'Disabled';
    mapping.LastModified = Math.floor(Date.now() / 1000);
    return { status: 202, body: mapping };
  }
  if (method === 'DELETE') {
    em.mappings.delete(mapping.UUID);
    return { status: 202, body: { ...mapping, State: 'Deleting' } };
  }
  throw lambdaErrors.unsupportedPath(method, `event-source-mappings/${uuid}`);
}

export { LambdaApiError };
