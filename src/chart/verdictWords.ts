// The verdict in plain English, one word and one sentence, the same in the chart's headline, the Runs tree and the
// CLI: what the run found, in the order the method decides it (docs/method.md, "The verdict"). A circuit that is not
// specific at the trained network is "not specific", never "entangled": there is nothing to follow under degradation.
import type { Verdict } from '../protocol/results';
import { formatLevel, formatNumber } from './format';

/** What a finished run found (one word and one icon each). */
export type Outcome = 'clean' | 'sufficient' | 'not-sufficient' | 'entangled' | 'not-specific' | 'no-behaviour' | 'no-null' | 'inconclusive';

/** The word each outcome is called by, everywhere. */
export const OUTCOME_WORD: Record<Outcome, string> = {
  clean: 'clean',
  sufficient: 'sufficient',
  'not-sufficient': 'not sufficient',
  entangled: 'entangled',
  'not-specific': 'not specific',
  'no-behaviour': 'no behaviour to test',
  'no-null': 'no null',
  inconclusive: 'inconclusive',
};

type VerdictFacts = Pick<Verdict, 'cleanWindow' | 'tEnt' | 'tSurv' | 'inconclusive' | 'tooFewLevels' | 'question' | 'specificity' | 'baselineExcess' | 'noBehaviour' | 'zeroCrossing' | 'calibration'>;

/** Whether the circuit beat its null at the trained network (null: no null to ask). */
export function isSpecific(v: Pick<Verdict, 'specificity' | 'baselineExcess'>): boolean | null {
  if (v.specificity) return v.specificity.specific;
  if (v.baselineExcess) return v.baselineExcess.specific;
  return null;
}

/** The outcome of a verdict: not specific first, then a window; else why there is none, in the order the verdict decides it. */
export function outcomeOf(v: VerdictFacts, levels: number): Outcome {
  // Not specific at the trained network comes first, whatever a window says (as the Runs tree has it).
  if (v.question !== 'sufficiency' && isSpecific(v) === false) return 'not-specific';
  if (v.cleanWindow) return v.question === 'sufficiency' ? 'sufficient' : 'clean';
  if (v.tooFewLevels) return 'inconclusive';
  // A version-2/3 verdict without a null records baselineExcess: null (version 1 had no such field, and no null).
  if (v.specificity == null && v.baselineExcess === null) return 'no-null';
  // No window while some levels did not converge: one may hide there (the Runs tree says the same).
  if ((v.inconclusive?.length ?? 0) > 0 && v.question !== 'sufficiency') return 'inconclusive';
  if (v.noBehaviour) return 'no-behaviour';
  // Keeping only the circuit asks sufficiency: no window there is "not sufficient", never "entangled".
  return v.question === 'sufficiency' ? 'not-sufficient' : 'entangled';
}

/**
 * One or two sentences a newcomer can read without the method page: what the verdict means for the circuit, with
 * the levels that decided it (`symbol` names the dial's level: t, σ, checkpoint).
 */
/** What a level's record says that the sentence counts: its failed tests, and whether it held any. */
export type LevelFacts = { failed?: readonly string[]; error?: string; tests?: { behaviour?: boolean | null } };

export function verdictSentence(v: VerdictFacts, levelList: readonly LevelFacts[], symbol: string): string {
  const levels = levelList.length;
  const at = (t: number) => `${symbol} = ${formatLevel(t)}`;
  const survives = v.tSurv !== null ? ` Its specific effect lasts up to ${at(v.tSurv)}.` : '';
  switch (outcomeOf(v, levels)) {
    case 'clean': {
      const [lo, hi] = v.cleanWindow!;
      const where = lo === hi ? `at ${at(lo)}` : `from ${at(lo)} to ${formatLevel(hi)}`;
      return `Clean ${where}: there, knocking the circuit out still hurts the target task more than random units of its size do, and its side effect on the control task is within the margin the degradation allows — the circuit is separable from the rest of the network.${survives}`;
    }
    case 'sufficient': {
      const [lo, hi] = v.cleanWindow!;
      return `Sufficient from ${at(lo)} to ${formatLevel(hi)}: keeping only the circuit keeps the target behaviour there.`;
    }
    case 'not-sufficient': {
      const sp = v.specificity;
      const p = sp && !sp.specific ? ` At the trained network, keeping random units of its size keeps the target about as well (rank test p = ${formatNumber(sp.p)} > α = ${formatNumber(sp.alpha)}).` : '';
      return `Not sufficient: at no tested level does keeping only the circuit keep the target task within the degradation's own noise and better than keeping random units of its size.${p}`;
    }
    case 'not-specific': {
      const sp = v.specificity;
      const p = sp ? ` (rank test p = ${formatNumber(sp.p)} > α = ${formatNumber(sp.alpha)})` : '';
      return `Not specific: at the trained network, random units of the circuit's size hurt the target task about as much as the circuit does${p}, so there is no circuit-specific effect to follow under degradation.`;
    }
    case 'no-behaviour':
      return 'No behaviour to test: at no tested level does the degraded network still do the target task, so no level holds a test. Lower the grid.';
    case 'no-null':
      return 'No verdict on the circuit: without at least two random control sets its effect cannot be compared with anything.';
    case 'inconclusive':
      return v.tooFewLevels
        ? `Inconclusive: only ${v.tooFewLevels.usable} levels ran without diverging (${v.tooFewLevels.needed} are needed).`
        : (v.inconclusive?.length ?? 0) >= levels
          ? 'Inconclusive: the chains did not converge at any level, so no test could be used.'
          : `Inconclusive: no clean window among the levels that converged, but the chains did not converge at ${symbol} = ${(v.inconclusive ?? []).map(formatLevel).join(', ')}, where one may be; see the advice to rerun them.${survives}`;
    case 'entangled':
      if (v.zeroCrossing) return `Entangled: the only levels that pass are where the side effect crosses zero (${at(v.zeroCrossing.lower)} … ${formatLevel(v.zeroCrossing.upper)}), not a real separation.${survives}`;
      return `Entangled: ${whyEntangled(levelList)}, so the circuit's effect cannot be told apart from the rest of the network's behaviour.${survives}`;
  }
}

/** Which tests kept the tested levels (behaviour present, not diverged) from being clean, in words. */
function whyEntangled(levels: readonly LevelFacts[]): string {
  const tested = levels.filter((l) => l.error === undefined && l.tests?.behaviour !== false);
  const count = (test: string) => tested.filter((l) => l.failed?.includes(test)).length;
  const [collateral, persists] = [count('collateral'), count('persists')];
  const n = tested.length;
  if (n > 0 && collateral === n) return `at every tested level (${n}), knocking it out also changes the control task by more than the margin allows`;
  if (n > 0 && persists === n) return `at no tested level does its specific effect persist`;
  if (n > 0) return `no tested level passes every test (the side effect on the control task is too large at ${collateral} of ${n}, the specific effect gone at ${persists} of ${n})`;
  return 'no level passes every test';
}
