import { parseCidrList } from '../turn/cidr.js';
import { readFileSync } from 'node:fs';
import { parseDhtBootstrap } from '../discovery/bootstrap-option.js';
import { validateTurnSettings } from '../turn/turn-service.js';
import { envName, type OptionSpec } from './option-spec.js';
import { nodeDefaults, type NodeConfig } from './node-options.js';
import { nodeOptionTable } from './node-option-table.js';

/** Thrown with every problem found at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

type Key = keyof NodeConfig;
const keys = Object.keys(nodeOptionTable) as Key[];
const byFlag = new Map<string, Key>(keys.map((key) => [nodeOptionTable[key].flag, key]));

/** Applies defaults to a partial config and validates every field; throws ConfigError listing all problems. */
export function resolveNodeConfig(options: Partial<NodeConfig> = {}): NodeConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = { ...nodeDefaults };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(nodeOptionTable, key)) {
      problems.push(`unknown option "${key}"`);
      continue;
    }
    const spec: OptionSpec = nodeOptionTable[key as Key];
    const problem = checkValue(spec, value);
    if (problem === undefined) out[key] = value;
    else problems.push(`${key} (--${spec.flag}): ${problem}`);
  }
  const config = out as unknown as NodeConfig;
  if ((config.tlsCert === '') !== (config.tlsKey === ''))
    problems.push('--tls-cert and --tls-key go together');
  if (config.publicUrl !== '' && !isHttpUrl(config.publicUrl))
    problems.push(`publicUrl (--public-url): not an http(s) URL: ${config.publicUrl}`);
  if (config.powBaseDifficulty > config.powMaxDifficulty)
    problems.push('--pow-base-difficulty must not exceed --pow-max-difficulty');
  if (config.requestTimeoutMs < config.headersTimeoutMs)
    problems.push('--request-timeout-ms must be at least --headers-timeout-ms');
  if (config.meshMaxFrameBytes < config.maxMessageBytes + 1024)
    problems.push('--mesh-max-frame-bytes must exceed --max-message-bytes by at least 1024');
  for (const peer of config.meshPeers)
    if (!isHttpUrl(peer)) problems.push(`meshPeers (--mesh-peers): not an http(s) URL: ${peer}`);
  const meshPeerCidrs = parseCidrList(config.turnAllowMeshPeer).invalid;
  if (meshPeerCidrs.length > 0)
    problems.push(`--turn-allow-mesh-peer: not a CIDR: ${meshPeerCidrs.join(', ')}`);
  if (config.meshSilenceMs <= config.meshPingMs)
    problems.push('--mesh-silence-ms must exceed --mesh-ping-ms');
  if (config.meshAdmissionDifficulty > config.meshMaxAdmissionDifficulty)
    problems.push('--mesh-admission-difficulty must not exceed --mesh-max-admission-difficulty');
  const bootstrap = parseDhtBootstrap(config.dhtBootstrap);
  if (!bootstrap.ok)
    for (const problem of bootstrap.problems) problems.push(`--dht-bootstrap: ${problem.message}`);
  problems.push(...validateTurnSettings(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** What the command line, environment and config file say, before defaults. */
export interface ConfigSources {
  readonly options: Partial<NodeConfig>;
  readonly problems: readonly string[];
  readonly help: boolean;
  readonly positionals: readonly string[];
}

/**
 * Reads options with precedence flag > env (`SIGMESH_*`) > file (`--config FILE`, JSON with the
 * camelCase keys of NodeConfig) > default. Collects every problem instead of stopping at the first.
 */
export function readConfigSources(argv: readonly string[], env: NodeJS.ProcessEnv): ConfigSources {
  const problems: string[] = [];
  const fromFlags: Partial<Record<Key, unknown>> = {};
  const positionals: string[] = [];
  let help = false;
  let configFile = env.SIGMESH_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let flag = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (flag === 'config') {
      configFile = inline ?? argv[++i];
      continue;
    }
    if (
      flag.startsWith('no-') &&
      byFlag.has(flag.slice(3)) &&
      nodeOptionTable[byFlag.get(flag.slice(3))!].kind === 'boolean'
    ) {
      flag = flag.slice(3);
      inline = 'false';
    }
    const key = byFlag.get(flag);
    if (key === undefined) {
      problems.push(`unknown flag --${flag}`);
      continue;
    }
    const spec: OptionSpec = nodeOptionTable[key];
    let text = inline;
    if (text === undefined) {
      if (spec.kind === 'boolean') text = 'true';
      else if (i + 1 < argv.length) text = argv[++i];
    }
    if (text === undefined) {
      problems.push(`--${flag} needs a value`);
      continue;
    }
    const value = parseText(spec, text);
    const earlier = fromFlags[key];
    // A repeated list flag adds to the list (`--turn-allow-peer A --turn-allow-peer B`).
    if (value.ok)
      fromFlags[key] =
        Array.isArray(earlier) && Array.isArray(value.value)
          ? [...(earlier as unknown[]), ...(value.value as unknown[])]
          : value.value;
    else problems.push(`--${flag}: ${value.problem}`);
  }

  const fromEnv: Partial<Record<Key, unknown>> = {};
  for (const key of keys) {
    const spec: OptionSpec = nodeOptionTable[key];
    const text = env[envName(spec.flag)];
    if (text === undefined || text === '') continue;
    const value = parseText(spec, text);
    if (value.ok) fromEnv[key] = value.value;
    else problems.push(`${envName(spec.flag)}: ${value.problem}`);
  }

  let fromFile: Partial<Record<Key, unknown>> = {};
  if (configFile !== undefined && configFile !== '') {
    try {
      const parsed: unknown = JSON.parse(readFileSync(configFile, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        problems.push(`${configFile}: must hold a JSON object`);
      else fromFile = parsed;
    } catch (error) {
      problems.push(`${configFile}: ${(error as Error).message}`);
    }
  }
  const options = { ...fromFile, ...fromEnv, ...fromFlags } as Partial<NodeConfig>;
  return { options, problems, help, positionals };
}

type TextValue = { ok: true; value: unknown } | { ok: false; problem: string };

function parseText(spec: OptionSpec, text: string): TextValue {
  switch (spec.kind) {
    case 'string':
      return { ok: true, value: text };
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      };
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return { ok: true, value: true };
      if (/^(0|false|no|off)$/i.test(text)) return { ok: true, value: false };
      return { ok: false, problem: `expected true or false, got ${JSON.stringify(text)}` };
    case 'integer':
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value))
        return { ok: false, problem: `expected a number, got ${JSON.stringify(text)}` };
      return { ok: true, value };
    }
  }
}

function checkValue(spec: OptionSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (spec.choices !== undefined && !spec.choices.includes(value))
        return `must be one of ${spec.choices.join(', ')}`;
      return undefined;
    case 'list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? undefined
        : 'must be a list of strings';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (spec.kind === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
      return undefined;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
