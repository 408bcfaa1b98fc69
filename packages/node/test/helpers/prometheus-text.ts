/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it throws on any
 * line it does not understand, on a sample before its family's `# TYPE`, on a family declared
 * twice, on a sample whose name does not belong to its family, and on a duplicate series.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
/** Sample names a family of each type may use besides its own name. */
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** Parses an exposition into families by name. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const helps = new Map<string, string>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  text.split('\n').forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) return; // A plain comment.
      const [, keyword, name = '', rest = ''] = match;
      if (!NAME.test(name)) fail('bad metric name');
      if (keyword === 'HELP') {
        if (helps.has(name)) fail('second HELP');
        helps.set(name, rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
        return;
      }
      if (!TYPES.includes(rest)) fail('unknown type');
      if (families.has(name)) fail('family declared twice');
      current = { name, type: rest as MetricType, help: '', samples: [] };
      families.set(name, current);
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (match === null) return fail('not a sample');
    const [, name = '', labelText, valueText = ''] = match;
    if (current === undefined) return fail('sample before any TYPE');
    const family = current;
    if (!SUFFIXES[family.type].some((suffix) => name === family.name + suffix))
      fail(`sample outside family ${family.name}`);
    const labels = parseLabels(labelText ?? '', fail);
    const value = parseValue(valueText, fail);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) fail('duplicate series');
    series.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values())
    (family as { help: string }).help = helps.get(family.name) ?? '';
  return families;
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (match === null) return fail('bad labels');
    const [whole, name = '', raw = ''] = match;
    if (!LABEL_NAME.test(name) || name in labels) fail('bad or repeated label name');
    labels[name] = raw.replace(/\\(.)/g, (_all, char: string) => (char === 'n' ? '\n' : char));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/**
 * A float as Prometheus reads it (Go's strconv.ParseFloat: `NaN` and `Inf` in any case, which
 * matters because prom-client writes an empty histogram's mean as `Nan`).
 */
function parseValue(text: string, fail: (why: string) => never): number {
  if (/^nan$/i.test(text)) return NaN;
  const infinity = /^([-+]?)inf(inity)?$/i.exec(text);
  if (infinity !== null) return infinity[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail('bad value');
  return Number(text);
}

/** The one sample of `name` whose labels include `labels`; throws unless exactly one matches. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const matching = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  if (matching.length !== 1)
    throw new Error(`${matching.length} samples of ${name} ${JSON.stringify(labels)}`);
  return matching[0]!.value;
}
