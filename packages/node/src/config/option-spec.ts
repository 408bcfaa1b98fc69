/** How one option is read from flags, env and files, validated and documented in `--help`. */
export interface OptionSpec {
  /** Flag without dashes, kebab-case: `max-message-bytes` → `--max-message-bytes`. */
  readonly flag: string;
  readonly kind: 'string' | 'integer' | 'number' | 'boolean' | 'list';
  readonly description: string;
  /** Inclusive bounds for numbers. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for strings. */
  readonly choices?: readonly string[];
  /** Shown in --help and docs (the `default` of the table is the value itself). */
  readonly group: 'server' | 'limits' | 'pow' | 'mesh' | 'resources' | 'topics';
}

/** The `SIGMESH_*` environment variable for a flag: `max-message-bytes` → `SIGMESH_MAX_MESSAGE_BYTES`. */
export function envName(flag: string): string {
  return `SIGMESH_${flag.toUpperCase().replaceAll('-', '_')}`;
}
