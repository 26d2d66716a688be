/**
 * Top-N metrics for one user, with binary gains: `recommended` is the ranked list,
 * `isRelevant(i)` says whether item i is a relevant held-out item, `relevantCount` how
 * many there are. Ideal DCG and AP are normalised over `min(n, relevantCount)`.
 */
export interface RankingScores {
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly ap: number;
}

export function rankingScores(
  recommended: ArrayLike<number>,
  isRelevant: (item: number) => boolean,
  relevantCount: number,
  n: number,
): RankingScores {
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  const len = Math.min(n, recommended.length);
  for (let r = 0; r < len; r++) {
    if (!isRelevant(recommended[r])) continue;
    hits++;
    dcg += 1 / Math.log2(r + 2);
    apSum += hits / (r + 1);
  }
  const ideal = Math.min(n, relevantCount);
  let idcg = 0;
  for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
  return {
    precision: hits / n,
    recall: relevantCount > 0 ? hits / relevantCount : 0,
    ndcg: idcg > 0 ? dcg / idcg : 0,
    ap: ideal > 0 ? apSum / ideal : 0,
  };
}
