/** The part of the Web Storage API the client uses (localStorage fits; so does a Map wrapper). */
export interface NodeStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'sigmesh:nodes:v1';
const MAX_REMEMBERED = 64;

/**
 * Node URLs that answered before, newest first, kept across page loads (localStorage in
 * browsers; in memory elsewhere unless a storage is passed). Bounded, and tolerant of junk.
 */
export class NodeMemory {
  readonly #storage: NodeStorage | undefined;
  #urls: string[];

  constructor(storage: NodeStorage | undefined = defaultStorage()) {
    this.#storage = storage;
    this.#urls = this.#load();
  }

  list(): readonly string[] {
    return this.#urls;
  }

  remember(url: string): void {
    this.#urls = [url, ...this.#urls.filter((known) => known !== url)].slice(0, MAX_REMEMBERED);
    try {
      this.#storage?.setItem(KEY, JSON.stringify(this.#urls));
    } catch {
      // Quota or privacy mode: remembering is best effort.
    }
  }

  #load(): string[] {
    try {
      const value: unknown = JSON.parse(this.#storage?.getItem(KEY) ?? '[]');
      if (!Array.isArray(value)) return [];
      return value
        .filter((url): url is string => typeof url === 'string' && normalizeNodeUrl(url) === url)
        .slice(0, MAX_REMEMBERED);
    } catch {
      return [];
    }
  }
}

function defaultStorage(): NodeStorage | undefined {
  try {
    return (globalThis as { localStorage?: NodeStorage }).localStorage;
  } catch {
    return undefined; // Some browsers throw on access when storage is disabled.
  }
}

/** `http(s)://host[:port][/path]` without a trailing slash, or undefined when not a node URL. */
export function normalizeNodeUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
