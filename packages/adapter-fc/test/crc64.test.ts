import { describe, expect, it } from 'vitest';
import { crc64 } from '../src/deploy/crc64';

// FC reports codeChecksum as the CRC-64 that OSS uses (Go's hash/crc64 with the ECMA table: CRC-64/XZ).
// plan() compares it with the checksum of the package it would upload, so the variant must match.
describe('crc64', () => {
  it('matches the CRC-64/XZ check value', () => {
    expect(BigInt(crc64(new TextEncoder().encode('123456789'))).toString(16)).toBe('995dc9bbdf1939fa');
    expect(crc64(new Uint8Array())).toBe('0');
  });
});
