const table = (() => {
  // CRC-64/XZ (ECMA-182 polynomial, reflected): what FC reports as a function's codeChecksum.
  const poly = 0xc96c5795d7870f42n;
  const out: bigint[] = [];
  for (let i = 0n; i < 256n; i++) {
    let crc = i;
    for (let j = 0; j < 8; j++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    out.push(crc);
  }
  return out;
})();

/** CRC-64 (ECMA) of bytes as a decimal string, the form of FC's `codeChecksum`. */
export function crc64(data: Uint8Array): string {
  let crc = 0xffffffffffffffffn;
  for (const byte of data) crc = table[Number((crc ^ BigInt(byte)) & 0xffn)]! ^ (crc >> 8n);
  return (crc ^ 0xffffffffffffffffn).toString();
}
