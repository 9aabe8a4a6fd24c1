/** The bench's figures as rows next to their targets, rendered as a Markdown table. */

export interface Figure {
  /** Which part of issue 8's list: a..f. */
  part: 'a' | 'b' | 'c' | 'd' | 'e' | 'f';
  measure: string;
  value: number;
  unit: 'ms' | 's' | 'x' | 'requests' | 'MB' | 'KB';
  /** Shown after the value, e.g. "(wall 4.6 s, ideal 3.8 s)". */
  detail?: string;
  target?: { op: '<' | '<='; value: number; text: string };
}

export function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  return f.target.op === '<' ? f.value < f.target.value : f.value <= f.target.value;
}

function show(f: Figure): string {
  const digits =
    f.unit === 'x'
      ? 2
      : f.unit === 's'
        ? 2
        : f.unit === 'requests' && !Number.isInteger(f.value)
          ? 1
          : 0;
  const v = f.value.toFixed(digits);
  const unit = f.unit === 'x' ? 'x' : ` ${f.unit}`;
  return `${v}${unit}${f.detail ? ` ${f.detail}` : ''}`;
}

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const m = met(f);
    return [
      f.part,
      f.measure,
      show(f),
      f.target?.text ?? '',
      m === undefined ? '' : m ? 'met' : 'MISSED',
    ];
  });
  const head = ['', 'measure', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}
