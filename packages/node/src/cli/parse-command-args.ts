/** Flags of a small command: each is a string value or a boolean switch. */
export type FlagKinds = Record<string, 'string' | 'boolean'>;

/** Parsed small-command arguments, with every problem collected. */
export interface CommandArgs<K extends FlagKinds> {
  readonly positionals: string[];
  readonly values: { [F in keyof K]?: K[F] extends 'string' ? string : boolean };
  readonly problems: string[];
  readonly help: boolean;
}

/** Parses `--flag VALUE`, `--flag=VALUE` and `--switch` for the client commands. */
export function parseCommandArgs<K extends FlagKinds>(
  argv: readonly string[],
  kinds: K,
): CommandArgs<K> {
  const positionals: string[] = [];
  const values: Record<string, string | boolean> = {};
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const kind = kinds[name];
      if (kind === undefined) problems.push(`unknown flag --${name}`);
      else if (kind === 'boolean') values[name] = true;
      else {
        const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined) problems.push(`--${name} needs a value`);
        else values[name] = value;
      }
    } else positionals.push(arg);
  }
  return { positionals, values: values as CommandArgs<K>['values'], problems, help };
}
