// "Did you mean …": the nearest candidate by edit distance, when it is near enough to be a typo.

/** Levenshtein distance; gives up (returns `limit + 1`) once every path exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** How many edits still count as a typo of `word`: about a third of its length, at least 2. */
export function typoBudget(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

/** The closest candidate within the typo budget (case differences count half), or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const budget = typoBudget(word);
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const folded = editDistance(lower, c.toLowerCase(), budget);
    if (folded > budget) continue;
    // Prefer exact-case matches among equally near ones.
    const score = folded + (folded === 0 ? 0.5 : editDistance(word, c, budget + 1) * 1e-3);
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}
