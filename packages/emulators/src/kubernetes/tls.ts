/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1 / localhost, made at
 * start with node:crypto and a small DER writer, so the emulator serves TLS with no files, no
 * `openssl` and no dependency. kubectl (client-go) sends a bearer token only over TLS, and checks the
 * server against `certificate-authority-data`, so both certificates follow RFC 5280 closely enough
 * for Go's crypto/x509: v3, basicConstraints and keyUsage on the CA, subjectAltName and
 * extKeyUsage serverAuth on the server certificate, key identifiers that link the two.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

/** PEM texts of a CA and of a server certificate it signed, with the server's private key. */
export interface EmulatorTls {
  /** The CA certificate (PEM): what `certificate-authority-data` carries, base64 encoded. */
  caCert: string;
  /** The server certificate (PEM), for 127.0.0.1, ::1 and localhost. */
  cert: string;
  /** The server's private key (PEM, PKCS#8). */
  key: string;
}

// DER (ITU-T X.690) encoding of the few ASN.1 types a certificate needs.
const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const integer = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ), valid for the years up to 2049 as RFC 5280 §4.1.2.5.1 requires. */
const utcTime = (d: Date) =>
  tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`, 'ascii'));

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const name = (cn: string) =>
  seq(set(seq(oid(OID.organization), utf8('faasport emulator'))), set(seq(oid(OID.commonName), utf8(cn))));

const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** The key identifier of RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): Buffer {
  // The BIT STRING is the last element of the SubjectPublicKeyInfo; for P-256 it is 65 bytes + 1.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function certificate(options: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  issuerKeyId: Buffer;
  extensions: Buffer[];
}): string {
  const spki = options.publicKey.export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(options.issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 365 * 86400_000))),
    name(options.subject),
    spki,
    explicit(
      3,
      seq(
        extension(OID.subjectKeyId, false, octets(keyId(spki))),
        extension(OID.authorityKeyId, false, seq(tlv(0x80, options.issuerKeyId))),
        ...options.extensions,
      ),
    ),
  );
  const signature = sign('sha256', tbs, options.signer); // DER ECDSA-Sig-Value
  const der = seq(tbs, algorithm, bits(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** Makes a fresh CA (P-256) and a server certificate for 127.0.0.1, ::1 and localhost, valid a year. */
export function makeEmulatorTls(): EmulatorTls {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caKeyId = keyId(ca.publicKey.export({ type: 'spki', format: 'der' }));
  const caCert = certificate({
    subject: 'faasport emulator CA',
    issuer: 'faasport emulator CA',
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    issuerKeyId: caKeyId,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true))),
      // digitalSignature (bit 0), keyCertSign (bit 5), cRLSign (bit 6).
      extension(OID.keyUsage, true, bits(Buffer.from([0b10000110]), 1)),
    ],
  });
  const cert = certificate({
    subject: 'faasport emulator',
    issuer: 'faasport emulator CA',
    publicKey: server.publicKey,
    signer: ca.privateKey,
    issuerKeyId: caKeyId,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, bits(Buffer.from([0b10000000]), 7)), // digitalSignature
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(
        OID.subjectAltName,
        false,
        seq(
          tlv(0x82, Buffer.from('localhost', 'ascii')), // dNSName
          tlv(0x87, Buffer.from([127, 0, 0, 1])), // iPAddress
          tlv(0x87, Buffer.alloc(16, 0).fill(1, 15)), // ::1
        ),
      ),
    ],
  });
  const key = server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // A sanity check that the public key round-trips (throws on a malformed certificate).
  createPublicKey(cert);
  return { caCert, cert, key };
}
