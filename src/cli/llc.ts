// `circuit-thermometer llc --model M --input NAME=FILE.npy... --labels FILE.npy --loss mse|cross-entropy --output NAME
//   --nbeta N --step-size E --localization G --chains C --draws D --burn-in B --batch-size S --seed K [--json]`
// devinterp's local learning coefficient estimate λ̂ = nβ·(E[L_B] − L_n(w*)) at the model's weights.
import * as nodePath from 'node:path';
import { loadArray, NdArray } from '../engine/data';
import { DialDivergence } from '../engine/dials/dial';
import { estimateLlc, LlcResult } from '../engine/dials/llc';
import { SAMPLER_KINDS, type SamplerKind, type SgldNoiseSource } from '../engine/dials/sgldGraph';
import { degradableParameters } from '../engine/dials/parameters';
import { FOLDED_NAMES_HINT, foldedWeightNames } from '../engine/onnx/frameworkNames';
import { selectParameters } from '../engine/dials/parameterSelection';
import { GraphIndex, loadModel } from '../engine/onnx';
import type { ModelProto } from '../engine/onnx/proto';
import { didYouMean } from '../hypothesis/suggest';
import { defaultAt, FIXED_STEP_SIZE_DEFAULT, numberDefault } from '../protocol/hypothesisSchema';
import { ParsedArgs, UsageError } from './args';
import { CliIO, Command, EXIT } from './command';
import { displayPath, table } from './format';

const HINT = 'see `circuit-thermometer llc --help`';

const sgldDefault = (key: string) => numberDefault(['degradation', 'sgld', key]);
/**
 * The loss, localization, chains, draws, thin, batch size and seed default to the hypothesis schema's (read from it).
 * This command does not calibrate: where the schema says `auto` it uses fixed values, the step size of the samplers
 * that cannot calibrate (FIXED_STEP_SIZE_DEFAULT), 100 burn-in steps (the smallest first burn-in `auto` tries), and
 * devinterp's schedule of every step kept (thin 1) for 200 draws.
 * nβ defaults to n/log n (Watanabe's β* = 1/log n).
 */
const DEFAULTS = {
  loss: defaultAt(['loss', 'kind']) as 'cross-entropy' | 'mse',
  stepSize: FIXED_STEP_SIZE_DEFAULT,
  localization: sgldDefault('localization'),
  chains: sgldDefault('chains'),
  draws: 200,
  burnIn: 100,
  thin: 1,
  batchSize: sgldDefault('batchSize'),
  seed: numberDefault(['degradation', 'seed']),
} as const;

export const llcCommand: Command = {
  name: 'llc',
  summary: 'Estimate the local learning coefficient of a model at its weights (devinterp\'s SGLD estimator).',
  description:
    'λ̂ = nβ·(E[L_B] − L_n(w*)): SGLD samples the localized tempered posterior exp(−nβ·L_n(w) − (γ/2)|w − w*|²) around\n'
    + 'the model\'s weights w*; E[L_B] is the mean minibatch loss over all chains and draws, L_n(w*) the loss on all examples.\n'
    + 'The standard error is the spread of the per-chain estimates. A diverging chain stops the run (exit 1) with a step size to try.\n'
    + `Defaults: --loss ${DEFAULTS.loss} --nbeta n/log n --step-size ${DEFAULTS.stepSize} --localization ${DEFAULTS.localization} --chains ${DEFAULTS.chains}\n`
    + `--draws ${DEFAULTS.draws} --burn-in ${DEFAULTS.burnIn} --thin ${DEFAULTS.thin} --batch-size ${DEFAULTS.batchSize} --seed ${DEFAULTS.seed}.\n`
    + '--json prints {llc: {mean, se, sd, chains} (sd: over chains, n − 1, devinterp\'s llc/std), initLoss, initLossKind, nbeta, n, d, stepSize, localization, chains, draws, burnIn, thin,\n'
    + 'batchSize, seed, acceptance: {mean, se, chains}, lossTrace, seconds, stepsPerSecond, model}.',
  args: [],
  flags: [
    { name: 'model', type: 'string', valueName: 'FILE', description: 'the ONNX model (its weights are w*)' },
    { name: 'input', type: 'string', valueName: 'NAME=FILE', repeatable: true, description: 'data for a model input, [n, …] (.npy/.npz/.json); repeat per input; NAME= may be left out for a one-input model' },
    { name: 'labels', type: 'string', valueName: 'FILE', description: 'class indices [n, …] (cross-entropy) or targets shaped like the output (mse)' },
    { name: 'loss', type: 'string', valueName: 'KIND', description: 'mse or cross-entropy' },
    { name: 'output', type: 'string', valueName: 'NAME', description: 'the model output the loss reads (default: the only output)' },
    { name: 'nbeta', type: 'string', valueName: 'N', description: 'inverse temperature times n (nβ): a number, or devinterp for its default b/log b (b the batch size)' },
    { name: 'step-size', type: 'number', valueName: 'E', description: 'SGLD step size ε' },
    { name: 'localization', type: 'number', valueName: 'G', description: 'localization strength γ' },
    { name: 'chains', type: 'number', valueName: 'C', description: 'independent chains' },
    { name: 'draws', type: 'number', valueName: 'D', description: 'kept draws per chain' },
    { name: 'burn-in', type: 'number', valueName: 'B', description: 'steps discarded before the first draw' },
    { name: 'thin', type: 'number', valueName: 'K', description: 'steps between kept draws' },
    { name: 'batch-size', type: 'number', valueName: 'S', description: 'minibatch size (at most n)' },
    { name: 'seed', type: 'number', valueName: 'K', description: 'random seed (chains are reproducible from it)' },
    { name: 'parameters', type: 'string', valueName: 'GLOB', repeatable: true, description: 'sample only the weights whose names match (repeat for more; !GLOB excludes; ** matches anything, * anything but . and /); the rest stay at w*, and d counts the sampled ones' },
    { name: 'sampler', type: 'string', valueName: 'RULE', description: 'sgld (default), preconditioned-sgld (a diagonal metric from a pilot, then frozen), exponential-sgld (the exponential integrator about that pilot\'s Gaussian reference, at the same --step-size), kinetic-langevin (underdamped Langevin, leapfrog step √ε, friction 2√γ on every weight: this command runs no friction pilot), rmsprop-sgld, sgnht, or hmc (full-data Metropolis-adjusted HMC with that metric: --step-size is the metric pilot\'s SGLD step, the leapfrog step is tuned in a warm-up; --draws, --burn-in and --thin count trajectories) (sgld, preconditioned-sgld and exponential-sgld report a MALA acceptance, kinetic-langevin its GHMC acceptance, hmc its Metropolis acceptance)' },
    { name: 'init-loss', type: 'string', valueName: 'HOW', description: 'L(w*) that λ̂ subtracts: full (all n examples; default) or batches (devinterp: the mean of one minibatch loss per chain, each chain\'s first, at w*)' },
    { name: 'noise', type: 'string', valueName: 'SOURCE', description: 'fed (a WebAssembly ziggurat, drawn before each step; default) or counter (in-graph)' },
    { name: 'json', type: 'boolean', description: 'print the result as JSON' },
  ],
  async run(args, io) {
    const modelPath = nodePath.resolve(io.cwd, requiredString(args, 'model'));
    const model = loadModel(modelPath).proto;
    const index = GraphIndex.of(model);
    const inputs = await loadInputs(args, io, index.graphInputs);
    const labels = await loadArray(nodePath.resolve(io.cwd, requiredString(args, 'labels')));
    const loss = optionalString(args, 'loss') ?? DEFAULTS.loss;
    if (loss !== 'mse' && loss !== 'cross-entropy') throw new UsageError(`--loss must be mse or cross-entropy, not '${loss}'`, HINT);
    const output = optionalString(args, 'output') ?? onlyOne(index.graphOutputs, 'output');
    if (!index.graphOutputs.includes(output) && !index.producer.has(output)) throw new UsageError(`the model has no output '${output}' (outputs: ${index.graphOutputs.join(', ')})`, HINT);
    const noise = optionalString(args, 'noise') ?? 'fed';
    if (noise !== 'counter' && noise !== 'fed') throw new UsageError(`--noise must be counter or fed, not '${noise}'`, HINT);

    const parameters = selectedWeights(args, model);
    const folded = parameters ? foldedWeightNames(model) : [];
    if (folded.length > 0) io.err(`warning: --parameters globs match module paths, but ${folded.length} of the model's weights are named like '${folded[0]}': ${FOLDED_NAMES_HINT}`);
    const sampler = optionalString(args, 'sampler') ?? 'sgld';
    const samplers: readonly string[] = [...SAMPLER_KINDS, 'hmc'];
    if (!samplers.includes(sampler)) throw new UsageError(`--sampler must be ${samplers.join(', ')}, not '${sampler}'`, HINT);
    const initLoss = optionalString(args, 'init-loss') ?? 'full';
    if (initLoss !== 'full' && initLoss !== 'batches') throw new UsageError(`--init-loss must be full or batches, not '${initLoss}'`, HINT);
    const batchSize = count(args, 'batch-size', 1) ?? DEFAULTS.batchSize;
    let result: LlcResult;
    try {
      result = await estimateLlc({
        model, loss: { kind: loss, output }, data: { inputs, labels }, parameters,
        nbeta: nbetaFlag(args, batchSize),
        stepSize: positive(args, 'step-size') ?? DEFAULTS.stepSize,
        localization: nonNegative(args, 'localization') ?? DEFAULTS.localization,
        chains: count(args, 'chains', 1) ?? DEFAULTS.chains,
        draws: count(args, 'draws', 1) ?? DEFAULTS.draws,
        burnIn: count(args, 'burn-in', 0) ?? DEFAULTS.burnIn,
        thin: count(args, 'thin', 1) ?? DEFAULTS.thin,
        batchSize,
        seed: count(args, 'seed', 0) ?? DEFAULTS.seed,
        noise: noise as SgldNoiseSource, initLoss, sampler: sampler as SamplerKind | 'hmc',
      });
    } catch (e) {
      if (!(e instanceof DialDivergence)) throw e;
      io.err(`circuit-thermometer: ${e.message}`);
      return EXIT.problems;
    }
    io.out(args.flags.json ? JSON.stringify({ ...result, model: modelPath }, jsonNumbers, 2) : formatLlc(result, modelPath, io));
    return EXIT.ok;
  },
};

export function formatLlc(r: LlcResult, modelPath: string, io: CliIO): string {
  const pm = (e: { mean: number; se: number | null }, digits = 4) => `${e.mean.toPrecision(digits)}${e.se === null ? '' : ` ± ${e.se.toPrecision(2)}`}`;
  return [
    `λ̂ = ${pm(r.llc)}   (d = ${r.d.toLocaleString('en-US')} weights; d/2 = ${(r.d / 2).toLocaleString('en-US')})`,
    '',
    ...table([
      ['model', displayPath(modelPath, io.cwd)],
      ['weights', r.parameters.length <= 6 ? r.parameters.join(', ') : `${r.parameters.length} tensors`],
      ['per chain', r.llc.chains.map((v) => v.toPrecision(4)).join('  ')],
      ['sd over chains', r.llc.sd === null ? '—' : `${r.llc.sd.toPrecision(3)} (devinterp's llc/std)`],
      [r.initLossKind === 'full' ? 'L_n(w*)' : 'L(w*), batches', `${r.initLoss.toPrecision(6)}${r.initLossKind === 'batches' ? ` (mean of ${r.chains} minibatch losses, one per chain)` : ''}`],
      ['nβ', `${r.nbeta.toPrecision(6)} (n = ${r.n})`],
      ['sampler', `${r.sampler}, ε = ${r.stepSize}, γ = ${r.localization}, ${r.chains} chains × ${r.draws} draws, burn-in ${r.burnIn}, thin ${r.thin}, batch ${r.batchSize}, seed ${r.seed}`],
      ['MALA acceptance', Number.isNaN(r.acceptance.mean) ? `— (${r.sampler} makes no Langevin proposal)` : `${pm(r.acceptance, 3)}${r.acceptance.mean < 0.5 ? '  (low: the step size is probably too large)' : ''}`],
      ['time', `${r.seconds.toFixed(1)} s, ${Math.round(r.stepsPerSecond)} steps/s`],
    ]),
    ...negativeLlcNote(r.llc),
  ].join('\n');
}

/**
 * A λ̂ below zero means the chains found lower loss than L_n(w*) near w*: w* is not a local minimum of the loss on these
 * data (an early-stopped or regularised model, other data than it was trained on, or a loss the training did not
 * minimise), and the LLC, defined at a minimum, does not apply there.
 */
export function negativeLlcNote(llc: { mean: number; se: number | null }): string[] {
  if (!(llc.mean < 0)) return [];
  const significant = llc.se !== null && llc.mean + 2 * llc.se < 0;
  return ['', `note: λ̂ is negative${significant ? ' (more than 2 se below 0)' : ''}: the sampler found lower loss than L_n(w*) near w*, so w* is not a local minimum of this loss on these data `
    + '(an early-stopped or regularised model, other data than training, or another loss). The LLC is defined at a minimum: '
    + 'train to convergence on these data, or read λ̂ as a loss-landscape diagnostic only (docs/method.md).'];
}

/** NaN/Infinity are not JSON: they print as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

async function loadInputs(args: ParsedArgs, io: CliIO, modelInputs: readonly string[]): Promise<Record<string, NdArray>> {
  const given = args.lists?.input ?? [];
  if (given.length === 0) throw new UsageError('llc: give the data with --input NAME=FILE (one per model input)', HINT);
  const inputs: Record<string, NdArray> = {};
  for (const item of given) {
    const eq = item.indexOf('=');
    const name = eq >= 0 ? item.slice(0, eq) : onlyOne(modelInputs, 'input');
    if (!modelInputs.includes(name)) throw new UsageError(`the model has no input '${name}' (inputs: ${modelInputs.join(', ')})`, HINT);
    inputs[name] = await loadArray(nodePath.resolve(io.cwd, eq >= 0 ? item.slice(eq + 1) : item));
  }
  const missing = modelInputs.filter((n) => !(n in inputs));
  if (missing.length) throw new UsageError(`no --input for the model input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, HINT);
  return inputs;
}

/** --parameters: the weights to sample (undefined: all); a glob that matches nothing is a usage error. */
function selectedWeights(args: ParsedArgs, model: ModelProto): string[] | undefined {
  const given = args.lists?.parameters ?? [];
  if (given.length === 0) return undefined;
  const include = given.filter((g) => !g.startsWith('!'));
  const exclude = given.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const all = degradableParameters(model);
  const { selected, unmatched } = selectParameters(all, { ...(include.length ? { include } : {}), ...(exclude.length ? { exclude } : {}) });
  if (unmatched.length > 0) {
    const u = unmatched[0]!;
    const guess = didYouMean(u.pattern, all.map((p) => p.name));
    throw new UsageError(`--parameters ${u.list === 'exclude' ? '!' : ''}${u.pattern} matches none of the model's ${all.length} weights${guess ? ` (did you mean '${guess}'?)` : ''}`, 'list them with `circuit-thermometer inspect MODEL`; ** matches anything, * anything but . and /');
  }
  if (selected.length === 0) throw new UsageError(`--parameters leaves none of the model's ${all.length} weights to sample`, HINT);
  return selected.map((p) => p.name);
}

function onlyOne(names: readonly string[], what: string): string {
  if (names.length !== 1) throw new UsageError(`the model has ${names.length} ${what}s (${names.join(', ')}); name one with --${what} NAME${what === 'input' ? '=FILE' : ''}`, HINT);
  return names[0]!;
}

function requiredString(args: ParsedArgs, name: string): string {
  const v = optionalString(args, name);
  if (v === undefined) throw new UsageError(`llc: --${name} is required`, HINT);
  return v;
}

function optionalString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

function numberFlag(args: ParsedArgs, name: string, ok: (v: number) => boolean, what: string): number | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !ok(v)) throw new UsageError(`--${name} must be ${what}, not ${String(v)}`, HINT);
  return v;
}

const positive = (a: ParsedArgs, n: string) => numberFlag(a, n, (v) => v > 0, 'positive');

/** --nbeta N, or `devinterp`: devinterp's default nβ = b / log b with b the batch size (undefined: n / log n). */
function nbetaFlag(args: ParsedArgs, batchSize: number): number | undefined {
  const v = args.flags.nbeta;
  if (v === undefined) return undefined;
  if (v === 'devinterp') {
    if (batchSize < 2) throw new UsageError('--nbeta devinterp is b / log b and needs --batch-size of at least 2', HINT);
    return batchSize / Math.log(batchSize);
  }
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`--nbeta must be a positive number or devinterp, not '${String(v)}'`, HINT);
  return n;
}
const nonNegative = (a: ParsedArgs, n: string) => numberFlag(a, n, (v) => v >= 0, 'non-negative');
const count = (a: ParsedArgs, n: string, min: number) => numberFlag(a, n, (v) => Number.isInteger(v) && v >= min, `an integer ≥ ${min}`);
