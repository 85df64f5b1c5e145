// The verdict in plain English, one word and one sentence, the same in the chart's headline, the Runs tree and the
// CLI: what the run found, in the order the method decides it (docs/method.md, "The verdict"). A circuit that is not
// specific at the trained network is "not specific", never "entangled": there is nothing to follow under degradation.
import type { Verdict } from '../protocol/results';
import { formatLevel, formatNumber } from './format';

/** What a finished run found (one word and one icon each). */
export type Outcome = 'clean' | 'sufficient' | 'entangled' | 'not-specific' | 'no-behaviour' | 'no-null' | 'inconclusive';

/** The word each outcome is called by, everywhere. */
export const OUTCOME_WORD: Record<Outcome, string> = {
  clean: 'clean',
  sufficient: 'sufficient',
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

/** The outcome of a verdict: a window first; else why there is none, in the order the verdict decides it. */
export function outcomeOf(v: VerdictFacts, levels: number): Outcome {
  if (v.cleanWindow) return v.question === 'sufficiency' ? 'sufficient' : 'clean';
  if (v.tooFewLevels) return 'inconclusive';
  // A version-2/3 verdict without a null records baselineExcess: null (version 1 had no such field, and no null).
  if (v.specificity == null && v.baselineExcess === null) return 'no-null';
  if ((v.inconclusive?.length ?? 0) >= levels && levels > 0) return 'inconclusive';
  if (v.question !== 'sufficiency' && isSpecific(v) === false) return 'not-specific';
  if (v.noBehaviour) return 'no-behaviour';
  return 'entangled';
}

/**
 * One or two sentences a newcomer can read without the method page: what the verdict means for the circuit, with
 * the levels that decided it (`symbol` names the dial's level: t, σ, checkpoint).
 */
export function verdictSentence(v: VerdictFacts, levels: number, symbol: string): string {
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
        : 'Inconclusive: the chains did not converge at any level, so no test could be used.';
    case 'entangled':
      if (v.zeroCrossing) return `Entangled: the only levels that pass are where the side effect crosses zero (${at(v.zeroCrossing.lower)} … ${formatLevel(v.zeroCrossing.upper)}), not a real separation.${survives}`;
      return `Entangled: at every tested level where the circuit still matters, knocking it out also changes the control task by more than the margin allows (or its specific effect is gone), so its effect cannot be told apart from other behaviour.${survives}`;
  }
}
