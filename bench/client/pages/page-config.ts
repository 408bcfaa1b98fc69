// The configuration the benchmark passes to a connect-time page in its URL (`?config=<JSON>`).

/** A sigmesh page: join `room` through `nodes` (the page's own node first). */
export interface SigmeshPageConfig {
  readonly kind: 'sigmesh';
  readonly appId: string;
  readonly room: string;
  readonly nodes: readonly string[];
  /** The room password (`--password`): end-to-end sealed signaling. */
  readonly password?: string;
  /** Load the alternative client bundle (`--alt-bundle`) instead of the built one. */
  readonly alt?: boolean;
}

/** A tracker page: announce `infoHash` to one WebSocket tracker with `offers` WebRTC offers. */
export interface TrackerPageConfig {
  readonly kind: 'tracker';
  readonly tracker: string;
  readonly infoHash: string;
  readonly offers: number;
}

export type PageConfig = SigmeshPageConfig | TrackerPageConfig;

/** The page URL for `config` on the static server at `origin`. */
export function pageUrl(origin: string, config: PageConfig): string {
  const page = config.kind === 'sigmesh' && config.alt === true ? 'sigmesh-alt' : config.kind;
  return `${origin}/${page}.html?config=${encodeURIComponent(JSON.stringify(config))}`;
}

/** Reads this page's configuration (in the page). */
export function readPageConfig<K extends PageConfig['kind']>(
  kind: K,
): Extract<PageConfig, { kind: K }> {
  const text = new URL(location.href).searchParams.get('config');
  const config = text === null ? undefined : (JSON.parse(text) as PageConfig);
  if (config?.kind !== kind) throw new Error(`this page needs ?config= for a ${kind} page`);
  return config as Extract<PageConfig, { kind: K }>;
}
