/** The `experiments` input: comma-separated names and `tag:NAME` selectors. */
import { ConfigurationError } from '../errors.js';
import { didYouMean } from '../suggest.js';

interface Selectable {
  name: string;
  tags: string[];
}

/** The selected experiments in suite order; all of them when the selection is empty. */
export function selectExperiments<T extends Selectable>(
  all: readonly T[],
  selection: string | undefined,
): T[] {
  const terms = (selection ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (terms.length === 0) return [...all];
  const chosen = new Set<T>();
  const problems: string[] = [];
  const tags = new Set(all.flatMap((e) => e.tags));
  for (const term of terms) {
    if (term.startsWith('tag:')) {
      const tag = term.slice(4).trim();
      const hits = all.filter((e) => e.tags.includes(tag));
      if (hits.length === 0) {
        problems.push(
          `\`${term}\` selects no experiment${didYouMean(tag, tags)}${tags.size && !didYouMean(tag, tags) ? ` (tags in the suite: ${[...tags].join(', ')})` : ''}`,
        );
      }
      hits.forEach((e) => chosen.add(e));
    } else {
      const hit = all.find((e) => e.name === term);
      if (!hit) {
        problems.push(
          `no experiment is named \`${term}\`${didYouMean(
            term,
            all.map((e) => e.name),
          )}`,
        );
      } else chosen.add(hit);
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems.map((p) => ({ message: `Invalid input 'experiments': ${p}` })),
    );
  }
  return all.filter((e) => chosen.has(e));
}
