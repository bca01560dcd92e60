/**
 * A small token server for distribution's `auth.token` (https://distribution.github.io/distribution/spec/auth/token/):
 * it checks Basic credentials and answers `{"token"}` with an RS256 JWT whose claims are those of
 * https://distribution.github.io/distribution/spec/auth/jwt/ and whose header `kid` is the libtrust key
 * ID of the signing key, as distribution 2.8 looks it up among the keys of its `rootcertbundle`
 * (registry/auth/token/token.go `VerifySigningKey`; vendor/github.com/docker/libtrust/util.go
 * `keyIDFromCryptoKey`: SHA-256 of the PKIX DER, first 240 bits, base32 in groups of four).
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/** One token request as the server saw it. */
export interface TokenRequest {
  /** The Basic user name, or undefined for an anonymous request. */
  username: string | undefined;
  service: string | null;
  scopes: string[];
  /** What the server answered. */
  status: number;
}

export interface TokenServer {
  /** The realm URL (`http://127.0.0.1:<port>/token`). */
  realm: string;
  service: string;
  issuer: string;
  /** The PEM certificate the registry trusts (`rootcertbundle`). */
  certFile: string;
  requests: TokenRequest[];
  /** Every token issued, to check that none leaks. */
  issued: string[];
  close(): Promise<void>;
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** libtrust's key ID of a public key (see the file comment). */
export function libtrustKeyId(publicKeyDer: Uint8Array): string {
  const encoded = base32(createHash('sha256').update(publicKeyDer).digest().subarray(0, 30));
  return encoded.match(/.{1,4}/g)!.join(':');
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Starts the token server on a free loopback port, with a fresh RSA key and a self-signed certificate
 * made by `openssl` in `dir`. Any request with `user` / `password` gets every action it asks for.
 */
export async function startTokenServer(
  dir: string,
  user: { username: string; password: string },
): Promise<TokenServer> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=faasport-token',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const privateKey = createPrivateKey(readFileSync(keyFile));
  const kid = libtrustKeyId(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const service = 'faasport-test-registry';
  const issuer = 'faasport-test-issuer';
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = req.headers.authorization;
    const decoded = auth?.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString('utf8')
      : undefined;
    const username = decoded?.slice(0, decoded.indexOf(':'));
    const scopes = url.searchParams.getAll('scope');
    const ok = decoded === `${user.username}:${user.password}`;
    requests.push({ username, service: url.searchParams.get('service'), scopes, status: ok ? 200 : 401 });
    if (url.pathname !== '/token' || !ok) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    // The JWT claims of distribution's spec/auth/jwt.md; `access` grants what each scope asks.
    const claims = {
      iss: issuer,
      sub: user.username,
      aud: url.searchParams.get('service'),
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: scopes.map((scope) => {
        const [type, name, actions] = scope.split(':') as [string, string, string];
        return { type, name, actions: actions.split(',') };
      }),
    };
    const signingInput = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), privateKey))}`;
    issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    issued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
