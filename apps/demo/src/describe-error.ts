/**
 * A line for the user: `CODE: message` for a SigmeshError (it carries a stable `code`), the name
 * and message of a DOMException (getUserMedia, getDisplayMedia), or the message of anything else.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code))
      return `${code}: ${error.message}`;
    if (error.name !== 'Error' && error.name !== '') return `${error.name}: ${error.message}`;
    return error.message;
  }
  return String(error);
}
