/**
 * What chatctl prints: aligned tables and key-value lists for people, JSON for scripts (`--json`),
 * errors on stderr. The writers are injected so tests and main.ts decide where output goes.
 */
export interface Output {
  readonly json: boolean;
  /** A line on stdout. */
  line: (text: string) => void;
  /** A line on stderr. */
  note: (text: string) => void;
  /** `value` as JSON with --json, else `human()` line by line. */
  result: (value: unknown, human: () => string[]) => void;
}

export interface Writers {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function createOutput(writers: Writers, json: boolean): Output {
  return {
    json,
    line: (text) => writers.stdout(`${text}\n`),
    note: (text) => writers.stderr(`${text}\n`),
    result: (value, human) => {
      if (json) writers.stdout(`${JSON.stringify(value, null, 2)}\n`);
      else for (const text of human()) writers.stdout(`${text}\n`);
    },
  };
}

export type Cell = string | number | boolean | null | undefined;

const shown = (cell: Cell): string => (cell === null || cell === undefined || cell === '' ? '-' : String(cell));

/** Columns padded to their widest cell, headers in capitals, two spaces apart. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map(shown))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `key  value` lines, keys padded. */
export function keyValues(entries: readonly (readonly [string, Cell])[]): string[] {
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${shown(value)}`);
}
