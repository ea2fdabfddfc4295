/**
 * Reading Prometheus text: which metric names an exposition declares, and which metric names a
 * PromQL query uses (for checking a dashboard against what the platform exports).
 */

/** Suffixes a histogram's or summary's samples carry beside its declared name. */
const SAMPLE_SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Every name a query may select from this exposition: each `# TYPE` name (with a labelled counter that never counted, there are no samples to go by), plus its histogram or summary series. */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name = '', type = ''] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    for (const suffix of SAMPLE_SUFFIXES[type] ?? []) names.add(`${name}${suffix}`);
  }
  return names;
}

/** The value of one unlabelled sample (or the first sample of `name` with these exact labels). */
export function sampleValue(exposition: string, name: string, labels = ''): number | undefined {
  const series = labels === '' ? name : `${name}{${labels}}`;
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
]);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/**
 * The metric names a PromQL expression selects: identifiers that are not a function (followed by
 * `(`), an aggregation or keyword, nor inside label matchers `{...}`, grouping `by (...)`,
 * a range `[...]`, a string or a `$variable`.
 */
export function metricNamesIn(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const name = match[0];
    const next = stripped.slice(match.index + name.length).trimStart();
    if (next.startsWith('(') || AGGREGATIONS.has(name) || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return names;
}
