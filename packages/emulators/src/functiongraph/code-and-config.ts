/** Turns function create and update bodies into the code and config the emulator stores, with FunctionGraph's checks. */
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import type { EmuState } from './context';
import { FgApiError, fgErrors } from './errors';
import { type CodeState, type ConfigState, fgTime } from './state';

/** The code state of a create or update-code body: zip, jar, inline, OBS or custom image. */
export function codeFrom(em: EmuState, body: Record<string, unknown>, runtime: string): CodeState {
  const { options } = em;
  const type =
    (body.code_type as string | undefined) ?? (runtime === 'Custom Image' ? 'Custom-Image-Swr' : undefined);
  if (!type) throw new FgApiError(400, 'FSS.1006', 'Invalid parameter. code_type is required.');
  const file = (body.func_code as { file?: string } | undefined)?.file;
  if (type === 'Custom-Image-Swr') return { code_type: type, digest: '', code_size: 0 };
  if (type === 'obs') {
    const codeUrl = body.code_url as string | undefined;
    if (!codeUrl)
      throw new FgApiError(
        400,
        'FSS.1012',
        'The function code must be configured: code_url is required for code_type obs.',
      );
    const m = /^https?:\/\/([^./]+)\.obs\.[^/]+\/(.+)$/.exec(codeUrl);
    const bytes = m ? options.obs?.[m[1]!]?.[decodeURIComponent(m[2]!)] : undefined;
    if (!bytes)
      throw new FgApiError(
        400,
        'FSS.1011',
        `Invalid function code: the OBS object ${codeUrl} does not exist.`,
      );
    checkZip(bytes);
    return {
      code_type: 'obs',
      code_url: codeUrl,
      bytes,
      digest: sha512(bytes),
      code_size: bytes.length,
      code_filename: codeUrl.split('/').pop() ?? '',
    };
  }
  if (!file) throw new FgApiError(400, 'FSS.1012', 'The function code must be configured.');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file))
    throw new FgApiError(400, 'FSS.1011', 'Invalid function code: func_code.file must be base64.');
  const bytes = new Uint8Array(Buffer.from(file, 'base64'));
  if (type === 'inline') {
    if (bytes.length > 10 * 1024) throw fgErrors.tooLarge('FSS.1072', 'The inline code exceeds 10 KB.');
    return { code_type: type, bytes, digest: sha512(bytes), code_size: bytes.length };
  }
  if (bytes.length > 50 * 1024 * 1024) throw fgErrors.tooLarge('FSS.1071', 'The code package exceeds 50 MB.');
  if (!body.code_filename)
    throw new FgApiError(
      400,
      'FSS.1011',
      'Invalid function code: code_filename is required for zip and jar code.',
    );
  checkZip(bytes);
  return {
    code_type: type,
    code_filename: body.code_filename as string,
    bytes,
    digest: sha512(bytes),
    code_size: bytes.length,
  };
}

/** Rejects `user_data` and `encrypted_user_data` with too many variables or bytes. */
export function checkUserData(_em: EmuState, body: Record<string, unknown>): void {
  for (const field of ['user_data', 'encrypted_user_data']) {
    const text = body[field];
    if (typeof text !== 'string' || text === '') continue;
    // FSS.1017 / FSS.1018: at most 20 variables; the size limit is 2 KB per the error table (4 KB per the API doc).
    if (Object.keys(JSON.parse(text)).length > 20)
      throw new FgApiError(
        400,
        'FSS.1017',
        `Invalid parameter. ${field}: more than 20 environment variables.`,
      );
    if (Buffer.byteLength(text) > 4096)
      throw new FgApiError(400, 'FSS.1018', `Invalid parameter. ${field}: larger than 4 KB.`);
  }
}

/** The config state of a create or update-config body (`previous` supplies what an update keeps). */
export function configFrom(
  _em: EmuState,
  body: Record<string, unknown>,
  previous: ConfigState | undefined,
  pkg: string,
): ConfigState {
  const known = new Set([
    'func_name',
    'package',
    'runtime',
    'timeout',
    'handler',
    'memory_size',
    'user_data',
    'encrypted_user_data',
    'description',
    'initializer_handler',
    'initializer_timeout',
    'xrole',
    'app_xrole',
    'custom_image',
    'type',
    'strategy_config',
    'code_type',
    'func_code',
    'code_url',
    'code_filename',
    // Tags are their own resource, not part of the function's config.
    'tags',
  ]);
  const extra: Record<string, unknown> = { ...(previous?.extra ?? {}) };
  for (const [k, v] of Object.entries(body)) if (!known.has(k)) extra[k] = v;
  const runtime = body.runtime as string;
  const image = (body.custom_image ?? previous?.custom_image) as ConfigState['custom_image'] | undefined;
  if (runtime === 'Custom Image' && !image?.image) {
    throw fgErrors.invalidParameter('custom_image.image is required for the Custom Image runtime.');
  }
  const strategy =
    (body.strategy_config as Partial<ConfigState['strategy_config']> | undefined) ??
    previous?.strategy_config ??
    {};
  // Omitted optional fields are reset on update, as FunctionGraph does (callers read, modify, write).
  return {
    func_name: body.func_name as string,
    package: pkg,
    runtime,
    timeout: body.timeout as number,
    handler: body.handler as string,
    memory_size: body.memory_size as number,
    user_data: (body.user_data as string | undefined) ?? '',
    encrypted_user_data: (body.encrypted_user_data as string | undefined) ?? '',
    description: (body.description as string | undefined) ?? '',
    ...(body.initializer_handler
      ? {
          initializer_handler: body.initializer_handler as string,
          initializer_timeout: (body.initializer_timeout as number | undefined) ?? 30,
        }
      : {}),
    ...(body.xrole ? { xrole: body.xrole as string } : {}),
    ...(body.app_xrole ? { app_xrole: body.app_xrole as string } : {}),
    // `enabled` is optional in the SDKs; an image that is given is in use.
    ...(image ? { custom_image: { ...image, enabled: image.enabled ?? true } } : {}),
    type: (body.type as string | undefined) ?? previous?.type ?? 'v2',
    strategy_config: {
      concurrency: strategy.concurrency ?? -1,
      concurrent_num: strategy.concurrent_num ?? 1,
    },
    extra,
    last_modified: fgTime(),
  };
}

function sha512(bytes: Uint8Array): string {
  return createHash('sha512').update(bytes).digest('hex');
}

function checkZip(bytes: Uint8Array): void {
  try {
    unzipSync(bytes);
  } catch {
    throw new FgApiError(400, 'FSS.1011', 'Invalid function code: the package is not a zip archive.');
  }
}
