/**
 * Just enough of a Dockerfile reader for tests: instructions per stage (continuations joined,
 * comments and parser directives dropped), and the runtime image they describe. Exec-form (JSON)
 * ENTRYPOINT, CMD and HEALTHCHECK CMD only: shell forms are reported as such.
 */

/** One instruction: its keyword (upper case) and the rest of the line. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The final stage as a container runtime sees it. */
export interface DockerImage {
  readonly from: string;
  readonly env: Record<string, string>;
  readonly user: string | undefined;
  readonly workdir: string | undefined;
  readonly volumes: string[];
  readonly expose: string[];
  readonly entrypoint: string[];
  readonly cmd: string[];
  readonly healthcheck: string[] | undefined;
  readonly stopSignal: string | undefined;
  /** COPY instructions from the build context (not `--from` another stage). */
  readonly copies: { from: string; to: string }[];
}

/** Splits a Dockerfile into stages (each starting with its FROM) of instructions. */
export function parseDockerfile(text: string): Instruction[][] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else {
      logical.push(pending + line);
      pending = '';
    }
  }
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const space = line.indexOf(' ');
    const keyword = line.slice(0, space).toUpperCase();
    const args = line.slice(space + 1).trim();
    if (keyword === 'FROM') stages.push([]);
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before FROM`);
    stage.push({ keyword, args });
  }
  return stages;
}

function execForm(args: string, what: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`${what} is not in exec form: ${args}`);
  return parsed;
}

/** `KEY=value KEY2="value 2"` pairs of an ENV instruction (values may use $VAR of earlier ENV). */
function envPairs(args: string, env: Record<string, string>): [string, string][] {
  const out: [string, string][] = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
    const value = match[2]!
      .replace(/^"|"$/g, '')
      .replace(/\$([A-Za-z_]+)/g, (_, n: string) => env[n] ?? '');
    out.push([match[1]!, value]);
  }
  return out;
}

/**
 * The runtime image: the last stage's settings, in order. `$VAR` in ENV values resolves against
 * earlier ENV and then `base` (the base image's environment, e.g. its PATH).
 */
export function dockerfileImage(
  stages: Instruction[][],
  base: Readonly<Record<string, string>> = {},
): DockerImage {
  const stage = stages.at(-1)!;
  const env: Record<string, string> = {};
  const scope: Record<string, string> = { ...base };
  const image = {
    from: stage[0]!.args.split(/\s+/)[0]!,
    env,
    user: undefined as string | undefined,
    workdir: undefined as string | undefined,
    volumes: [] as string[],
    expose: [] as string[],
    entrypoint: [] as string[],
    cmd: [] as string[],
    healthcheck: undefined as string[] | undefined,
    stopSignal: undefined as string | undefined,
    copies: [] as { from: string; to: string }[],
  };
  for (const { keyword, args } of stage) {
    if (keyword === 'ENV')
      for (const [key, value] of envPairs(args, scope)) env[key] = scope[key] = value;
    else if (keyword === 'USER') image.user = args;
    else if (keyword === 'WORKDIR') image.workdir = args;
    else if (keyword === 'VOLUME') image.volumes.push(...execForm(args, 'VOLUME'));
    else if (keyword === 'EXPOSE') image.expose.push(...args.split(/\s+/));
    else if (keyword === 'ENTRYPOINT') image.entrypoint = execForm(args, 'ENTRYPOINT');
    else if (keyword === 'CMD') image.cmd = execForm(args, 'CMD');
    else if (keyword === 'STOPSIGNAL') image.stopSignal = args;
    else if (keyword === 'HEALTHCHECK') {
      const cmd = /\bCMD\s+(\[.*\])\s*$/.exec(args);
      if (cmd === null) throw new Error(`HEALTHCHECK without an exec-form CMD: ${args}`);
      image.healthcheck = execForm(cmd[1]!, 'HEALTHCHECK CMD');
    } else if (keyword === 'COPY' && !args.startsWith('--from')) {
      const [from, to] = args.split(/\s+/);
      image.copies.push({ from: from!, to: to! });
    } else if (!['FROM', 'RUN', 'ARG', 'LABEL', 'SHELL', 'COPY'].includes(keyword))
      throw new Error(`unexpected instruction ${keyword}`);
  }
  return image;
}
