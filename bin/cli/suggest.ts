/**
 * "Did you mean": the candidates nearest to what was typed. A candidate is near when what was
 * typed is its prefix (`zta rev`), or within two edits of it, a swap of neighbours counting as
 * one (`lsit` → `list`). Only the nearest are returned, in the candidates' own order, so a
 * prefix shared by two commands names both and a typo names its one fix.
 */
export function closest(input: string, candidates: readonly string[]): string[] {
  const typed = input.toLowerCase();
  if (typed === '') return [];
  const scored = candidates
    .map((candidate) => {
      const name = candidate.toLowerCase();
      return { candidate, score: name.startsWith(typed) ? 0 : editDistance(typed, name) };
    })
    .filter(({ score }) => score <= 2);
  const best = Math.min(...scored.map(({ score }) => score));
  return scored.filter(({ score }) => score === best).map(({ candidate }) => candidate);
}

/** " (did you mean x? …)"-ready text: `x`, `x or y`; empty when nothing is near. */
export function didYouMean(input: string, candidates: readonly string[], prefix = ''): string {
  const near = closest(input, candidates);
  return near.length === 0 ? '' : `did you mean ${near.map((n) => `${prefix}${n}`).join(' or ')}?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the dynamic-programming table.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
