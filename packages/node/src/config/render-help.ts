import { envName, type OptionSpec } from './option-spec.js';
import { nodeDefaults, type NodeConfig } from './node-options.js';
import { nodeOptionTable } from './node-option-table.js';

const groupTitles: Record<OptionSpec['group'], string> = {
  server: 'Server',
  limits: 'Limits (see docs/limits.md)',
  pow: 'Proof-of-work pricing',
  mesh: 'Mesh and DHT discovery',
  resources: 'Connections, descriptors and TURN shares (0 = derived from the open-file limit)',
  topics: 'Trystero topic relays: Nostr at /nostr, ws-relay at /ws-relay (see docs/limits.md)',
};

/** `sigmesh start --help`, generated from the option table. */
export function renderStartHelp(): string {
  const lines = [
    'Usage: sigmesh start [options]',
    '',
    'Runs a sigmesh node. Precedence: flag > SIGMESH_* env var > --config FILE (JSON) > default.',
  ];
  for (const group of Object.keys(groupTitles) as OptionSpec['group'][]) {
    lines.push('', `${groupTitles[group]}:`);
    for (const [key, spec] of Object.entries(nodeOptionTable) as [keyof NodeConfig, OptionSpec][]) {
      if (spec.group !== group) continue;
      const value = nodeDefaults[key];
      const shown = value === '' ? '' : ` (default: ${String(value)})`;
      lines.push(
        `  --${spec.flag}${spec.kind === 'boolean' ? '' : ' VALUE'}`,
        `      ${spec.description}${shown} [${envName(spec.flag)}]`,
      );
    }
  }
  lines.push(
    '',
    '  --config FILE',
    '      JSON file of options (camelCase keys) [SIGMESH_CONFIG]',
    '  --help',
    '      Show this help.',
  );
  return lines.join('\n');
}
