/**
 * The message of a function's failure as FC 2.0 and FC 3.0 answer it (`X-Fc-Error-Type` set, the body
 * `{errorMessage, errorType}` as JSON), else the body's text.
 *
 * @public
 */
export function functionErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorMessage?: string; errorType?: string };
    if (parsed.errorMessage)
      return `${parsed.errorType ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`;
  } catch {
    // not JSON: use the text
  }
  return body || 'the function failed without a message';
}
