import type { IncomingMessage } from 'node:http';
import { fcErrors } from './errors';
import { contentMd5Matches, verifyFcSignature } from './signature';

/**
 * Checks a request's FC signature against the accepted keys (and its `Content-MD5`, when sent), throwing
 * FC's error for each way it fails.
 */
export function authenticate(
  secrets: Map<string, string>,
  method: string,
  rawUrl: string,
  req: IncomingMessage,
  raw: Buffer,
): void {
  const check = verifyFcSignature(method, rawUrl, req.headers, secrets);
  if (check.ok) {
    const md5 = req.headers['content-md5'];
    if (typeof md5 === 'string' && md5 !== '' && !contentMd5Matches(md5, raw))
      throw fcErrors.contentMd5Mismatch(md5);
    return;
  }
  if (check.reason === 'missing') throw fcErrors.missingAuthorization();
  if (check.reason === 'unknown-key') throw fcErrors.invalidAccessKeyId(check.accessKeyId ?? '');
  if (check.reason === 'stale-date')
    throw fcErrors.accessDenied('the difference between the request time and the server time is too large');
  throw fcErrors.signatureNotMatch();
}
