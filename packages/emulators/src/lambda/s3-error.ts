import { randomUUID } from 'node:crypto';

/** An S3 error: the status and the XML body S3 sends (`<Error><Code>…`). */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers the error answer carries besides its XML (416's `Content-Range: bytes *` + size). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  xml(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${this.code}</Code><Message>${escapeXml(this.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  }
}

/** Text escaped for an XML element or attribute. */
export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
