/**
 * Turns one pino JSON line into a line for people at a terminal: time, level, message, then the
 * remaining fields as `key=value`. Pino's own pretty printer (pino-pretty) runs in a worker
 * thread as a transport and adds a dependency tree; one pure function is all a node needs.
 */

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO ', color: '32' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '41;97' },
};

/** Fields every line carries that a reader at a terminal does not need repeated. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);

/** Formats one JSON log line (with or without its newline); text that is not JSON passes through. */
export function prettyLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return line;
    entry = value as Record<string, unknown>;
  } catch {
    return line;
  }
  const paint = (code: string, text: string): string =>
    color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).padEnd(5), color: '0' };
  const time = typeof entry.time === 'number' ? new Date(entry.time) : new Date();
  const clock = time.toISOString().slice(11, 23);
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if ((key === 'err' || key === 'error') && typeof value === 'object' && value !== null) {
      const error = value as { message?: unknown; stack?: unknown };
      if (typeof error.stack === 'string') stack = `\n    ${error.stack.replace(/\n/g, '\n    ')}`;
      fields.push(`${key}=${JSON.stringify(error.message ?? value)}`);
      continue;
    }
    const text =
      typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
    fields.push(`${paint('2', `${key}=`)}${text}`);
  }
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  const rest = fields.length > 0 ? `  ${fields.join(' ')}` : '';
  return `${paint('2', clock)} ${paint(level.color, level.name)} ${msg}${rest}${stack}\n`;
}
