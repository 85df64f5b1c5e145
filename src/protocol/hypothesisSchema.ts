// The hypothesis format, stated once: src/hypothesis/validate.ts checks files against it, the JSON Schema shipped
// in schemas/circuit-hypothesis.schema.json (for VS Code's YAML and JSON editors) is generated from it, and every
// default a setting has is read from it (`defaultAt`), never typed again. Plain data, so every floor may read it.

interface Common {
  description: string;
  /** The docs/method.md section (its heading) that defines this setting; keys below inherit it. */
  method?: string;
}

export interface StringSpec extends Common {
  type: 'string';
  default?: string;
  /** `path`: resolved against the hypothesis file's folder; `tensor`: a tensor name of the model. */
  role?: 'path' | 'tensor' | 'text';
  /** Regular expression the value must match, with what to say when it does not. */
  pattern?: { regex: string; means: string };
}

export interface NumberSpec extends Common {
  type: 'number' | 'integer';
  default?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}

export interface EnumSpec extends Common {
  type: 'enum';
  values: readonly string[];
  default?: string;
}

export interface ObjectSpec extends Common {
  type: 'object';
  properties: Record<string, Spec>;
  required?: readonly string[];
  /** Exactly one of these keys must be present (e.g. target: mask | indices | labels). */
  exactlyOne?: readonly string[];
  /** For maps with free keys (input name → file): the spec of every value. */
  additional?: Spec;
  /** Extra JSON Schema keywords (conditional requirements the code checks itself). */
  jsonSchemaExtra?: Record<string, unknown>;
}

export interface ArraySpec extends Common {
  type: 'array';
  items: Spec;
  minItems?: number;
}

/** One of several shapes, told apart by kind (number / string / mapping / list). */
export interface OneOfSpec extends Common {
  type: 'oneOf';
  variants: readonly Spec[];
  default?: number | string;
}

export type Spec = StringSpec | NumberSpec | EnumSpec | ObjectSpec | ArraySpec | OneOfSpec;

const path = (description: string): StringSpec => ({ type: 'string', role: 'path', description });
const tensor = (description: string): StringSpec => ({ type: 'string', role: 'tensor', description });

const unitList = (what: string): ArraySpec => ({
  type: 'array',
  minItems: 1,
  description: `${what}: integers, or "a:b" strings for the half-open range a, a+1, …, b-1.`,
  items: {
    type: 'oneOf',
    description: 'An index (integer ≥ 0) or a half-open range "a:b".',
    variants: [
      { type: 'integer', minimum: 0, description: 'An index, counted from 0.' },
      { type: 'string', pattern: { regex: '^\\s*\\d+\\s*:\\s*\\d+\\s*$', means: 'a range "a:b" of two non-negative integers' }, description: 'Half-open range "a:b" (a included, b excluded).' },
    ],
  },
});

/** The samplers `stepSize: auto` calibrates: the Langevin proposals by their MALA acceptance, hmc by dual averaging. */
export const MALA_SAMPLERS: readonly string[] = ['sgld', 'preconditioned-sgld', 'exponential-sgld', 'kinetic-langevin', 'hmc'];
/** The step size of the samplers `stepSize: auto` cannot calibrate (rmsprop-sgld, sgnht: no MALA proposal). */
export const FIXED_STEP_SIZE_DEFAULT = 1e-4;

const sgldSpec: ObjectSpec = {
  type: 'object',
  description: 'SGLD sampler of the tempered local posterior (devinterp\'s update): Δw = -(ε/2)·[nβ·∇L_B(w) + γ·(w - w*)] + √ε·ξ.',
  properties: {
    stepSize: {
      type: 'oneOf', default: 'auto',
      description: 'Step size ε: auto (the default with sampler: sgld, preconditioned-sgld or exponential-sgld): per level, the largest ε on a geometric ladder (1e-2 ÷ 3 per rung) whose 100-step pilot chain stays finite with mean MALA acceptance ≥ 0.9; or a number (> 0). With preconditioned-sgld, ε is the step of the stiffest weight (the metric only lengthens the others\'). With exponential-sgld the ladder starts at 4/R (R the largest precision of the pilot\'s Gaussian reference) and ε is the stiffest weight\'s time step, as with preconditioned-sgld. rmsprop-sgld and sgnht make no MALA proposal: their default is 1e-4.',
      variants: [
        { type: 'number', exclusiveMinimum: 0, description: 'Step size ε (> 0). On divergence, try a smaller one.' },
        { type: 'enum', values: ['auto'], description: 'Calibrate ε per level from pilot chains (MALA acceptance ≥ 0.9).' },
      ],
    },
    localization: { type: 'number', minimum: 0, default: 100, description: 'Localization strength γ pulling samples towards the trained weights w*.' },
    chains: { type: 'integer', minimum: 1, maximum: 256, default: 4, description: 'Independent chains per temperature.' },
    draws: {
      type: 'oneOf', default: 'auto',
      description: 'Draws kept per chain (after burn-in and thinning): a number, or auto (the default): each chain draws until its own bulk ESS of every quantity the convergence test reads (L_n, E_T, E_C and the null\'s per-draw means) reaches its aim, 1.25 × verdict.essPerChain and at least 250 (where R̂ ≤ 1.01 stops failing converged chains by chance; checked as the chain grows by 10%), at most maxDraws; a level whose chains stop at the cap short of it is inconclusive, with the ESS reached.',
      variants: [
        { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Draws kept per chain.' },
        { type: 'enum', values: ['auto'], description: 'Draw until the chain\'s ESS reaches 1.25 × verdict.essPerChain, at least 250, at most maxDraws.' },
      ],
    },
    maxDraws: { type: 'integer', minimum: 4, maximum: 1_000_000, description: 'The cap of draws: auto, in kept draws per chain (default 1000; ignored with a number of draws).' },
    burnIn: {
      type: 'oneOf', default: 'auto',
      description: 'Steps discarded at the start of each chain: auto (the default): per level, max(100, 3·2/(εγ)) steps (three relaxation times of the localization pull), doubled (up to 16×) until the loss trace of a pilot chain after it is stationary; or a number.',
      variants: [
        { type: 'integer', minimum: 0, maximum: 10_000_000, description: 'Steps discarded at the start of each chain.' },
        { type: 'enum', values: ['auto'], description: 'Calibrate the burn-in per level from a pilot chain.' },
      ],
    },
    thin: {
      type: 'oneOf', default: 'auto',
      description: 'Keep every `thin`-th step as a draw: a number, or auto (the default): per level, the integrated autocorrelation time τ = N/ESS, measured on a pilot chain after its burn-in (of its loss and of its squared distance from w*, the larger), so that each kept draw carries about one effective sample (what converged chains, R̂ ≤ 1.01 and ESS ≥ 100 per chain, need). Only kept draws are evaluated (circuit, controls, metrics), so thinning a long chain cuts the evaluation cost in proportion.',
      variants: [
        { type: 'integer', minimum: 1, maximum: 10_000, description: 'Steps between kept draws.' },
        { type: 'enum', values: ['auto'], description: 'The autocorrelation time of a pilot chain per kept draw, per level.' },
      ],
    },
    batchSize: { type: 'integer', minimum: 1, default: 256, description: 'Examples per SGLD step (the minibatch B).' },
    nbeta: { type: 'number', exclusiveMinimum: 0, description: 'When set, nβ at each level is nbeta / level instead of n / level.' },
    sampler: { type: 'enum', values: ['sgld', 'preconditioned-sgld', 'exponential-sgld', 'kinetic-langevin', 'rmsprop-sgld', 'sgnht', 'hmc'], default: 'sgld', description: 'The update rule: sgld (devinterp\'s); hmc, Metropolis-adjusted Hamiltonian Monte Carlo on the full data with preconditioned-sgld\'s frozen metric as inverse mass (exact at any step size: each trajectory is accepted or rejected; stepSize is the leapfrog step, auto = dual averaging toward acceptance 0.8 in a warm-up; burnIn and thin count trajectories; docs/method.md, "HMC"); preconditioned-sgld, SGLD with a diagonal metric M estimated per level by a pilot chain from the potential\'s squared gradient and then frozen (Δw = -(ε/2)·M·∇U + √(εM)·ξ: a Langevin proposal, so the MALA acceptance and stepSize: auto work; docs/method.md); exponential-sgld, the exponential integrator of preconditioned-sgld\'s dynamics about the Gaussian reference N(w*, P⁻¹) that pilot measures (Δw = -((1-ρ)/P)·∇U + √((1-ρ²)/P)·ξ, ρ = exp(-εR/2), R = max P: every weight relaxes at the stiffest one\'s rate, and a step is exact where the posterior is that Gaussian, so ε is limited only by what it misses; MALA acceptance and stepSize: auto work; docs/method.md, "Exponential SGLD"); kinetic-langevin, underdamped Langevin with unit mass, leapfrog step √ε and per weight the friction 2√P that critically damps it (P its curvature as a 600-step pilot reads it, at least γ; at friction → ∞ it is SGLD at ε): a direction held only by the pull relaxes in ≈ 2/√(εγ) steps instead of 2/(εγ); its GHMC acceptance (the energy error of the Verlet part, on one minibatch) plays MALA\'s role, so stepSize: auto works; on minibatches the gradient noise heats its momentum (ΔL a few percent high at low temperatures), with the full data it samples sgld\'s posterior; docs/method.md, "Samplers"; rmsprop-sgld, SGLD preconditioned by RMSprop (α = 0.99, λ = 0.1; adaptive, no MALA acceptance); sgnht, the Nosé–Hoover thermostat (diffusion 0.01). stepSize: auto needs sgld, preconditioned-sgld, exponential-sgld, kinetic-langevin or hmc.' },
  },
};

const gridSpec: ObjectSpec = {
  type: 'object',
  description: 'A grid of `count` levels from `from` to `to`, log-spaced (default) or linear.',
  required: ['from', 'to', 'count'],
  properties: {
    from: { type: 'number', description: 'Lowest level (> 0 on a log grid).' },
    to: { type: 'number', description: 'Highest level (> from).' },
    count: { type: 'integer', maximum: 1000, description: 'Number of levels (2 to 1000).' },
    scale: { type: 'enum', values: ['log', 'linear'], default: 'log', description: 'Spacing of the levels.' },
  },
};

export const HYPOTHESIS_SPEC: ObjectSpec = {
  type: 'object',
  description: 'A circuit hypothesis for Circuit Thermometer: the model, the data, the claimed circuit (or the units to scan) and the degradation sweep that tests it.',
  required: ['model', 'data', 'loss', 'degradation'],
  exactlyOne: ['circuit', 'scan'],
  properties: {
    $schema: { type: 'string', role: 'text', description: 'URL or path of this JSON Schema (ignored by the checker).' },
    model: { ...path('The ONNX model, relative to this file.'), method: 'Setting' },
    data: {
      type: 'object',
      method: 'Setting',
      description: 'The dataset: model inputs, labels, and which examples form the target set (the rest is control).',
      required: ['inputs', 'labels', 'target'],
      properties: {
        inputs: {
          type: 'object',
          description: 'One array file per model input: `input name: file` (.npy, .npz#member or .json); first axis = examples.',
          properties: {},
          additional: path('Array file for this model input (.npy, .npz, .npz#member, .json).'),
        },
        labels: path('Labels (class indices for cross-entropy, targets for mse), one per example along the first axis; [examples, seq] class indices for [examples, seq, classes] logits (a label equal to ignoreIndex is not scored).'),
        ignoreIndex: { type: 'integer', default: -100, description: 'Class-index labels equal to this are scored nowhere (PyTorch\'s ignore_index). With such labels, or a target mask shaped like the labels ([examples, seq]), losses and effects are means over the selected tokens (docs/pytorch.md).' },
        target: {
          type: 'object',
          description: 'Which examples the circuit is claimed to implement: exactly one of mask, indices or labels. Control = all others.',
          exactlyOne: ['mask', 'indices', 'labels'],
          properties: {
            mask: path('Boolean (or 0/1) array, one entry per example, or one per token in the labels\' shape ([examples, seq]); true = target.'),
            indices: path('Integer array of target example indices.'),
            labels: { type: 'array', minItems: 1, description: 'Target = examples whose label is one of these.', items: { type: 'integer', description: 'A label value.' } },
          },
        },
      },
    },
    loss: {
      type: 'object',
      method: 'Setting',
      description: 'The loss L whose degradation the sweep measures.',
      required: ['output'],
      properties: {
        output: tensor('The model output the loss reads (logits for cross-entropy).'),
        kind: { type: 'enum', values: ['cross-entropy', 'mse'], default: 'cross-entropy', description: 'Cross-entropy on logits against class indices, or mean squared error.' },
      },
    },
    metric: { type: 'enum', method: 'Per draw', values: ['loss', 'logit-diff', 'accuracy'], default: 'loss', description: 'What the target effect measures: target-set loss, logit difference, or accuracy.' },
    circuit: {
      type: 'object',
      method: 'Setting',
      description: 'The claimed circuit: units of named tensors.',
      required: ['components'],
      properties: {
        name: { type: 'string', role: 'text', default: 'circuit', description: 'A name for reports and charts.' },
        components: {
          type: 'array',
          minItems: 1,
          description: 'The circuit\'s components, each a set of units of one tensor.',
          items: {
            type: 'object',
            description: 'Units of one tensor along one axis.',
            required: ['tensor', 'units'],
            properties: {
              tensor: tensor('Name of a tensor in the model (an initializer, input or node output).'),
              axis: { type: 'integer', default: -1, description: 'Axis the units index (negative counts from the end).' },
              units: unitList('Unit indices along `axis` (group indices when `groupSize` is set)'),
              groupSize: { type: 'integer', minimum: 1, default: 1, description: 'Entries of `axis` per unit: with groupSize g, unit u is the contiguous group u·g … (u+1)·g − 1, e.g. a head of a merged [batch, seq, heads·d_head] axis (g = d_head). Ablation and matched controls act on whole groups.' },
              positions: unitList('Token positions (axis 1 of a [batch, seq, …] tensor); all positions when absent'),
            },
          },
        },
      },
    },
    scan: {
      type: 'object',
      method: 'The entanglement map (`scan`)',
      description: 'Instead of a circuit: the units to scan (`circuit-thermometer scan`). Every unit (or group) is swept as its own one-unit circuit, all of them in one paired graph per draw, each against the other units of its component (an exact null).',
      required: ['components'],
      properties: {
        name: { type: 'string', role: 'text', default: 'scan', description: 'A name for reports and charts.' },
        components: {
          type: 'array',
          minItems: 1,
          description: 'The tensors to scan, one per layer (a map\'s row): each unit along `axis` (each group of `groupSize` entries) is one circuit.',
          items: {
            type: 'object',
            description: 'The units of one tensor along one axis.',
            required: ['tensor'],
            properties: {
              tensor: tensor('Name of a tensor in the model (an initializer, input or node output).'),
              axis: { type: 'integer', default: -1, description: 'Axis the units index (negative counts from the end).' },
              groupSize: { type: 'integer', minimum: 1, default: 1, description: 'The granularity: entries of `axis` per unit (1: single units; d_head: the heads of a merged [batch, seq, heads·d_head] axis).' },
              units: unitList('The units to scan (group indices when `groupSize` is set); all units of the axis when absent. Each is judged against the other listed units of this component'),
              positions: unitList('Token positions (axis 1 of a [batch, seq, …] tensor) where a unit is ablated; all positions when absent'),
              label: { type: 'string', role: 'text', description: 'The row\'s name on the map (default: the tensor).' },
            },
          },
        },
      },
    },
    intervention: {
      type: 'object',
      method: 'Setting',
      description: 'How the circuit is ablated.',
      properties: {
        kind: { type: 'enum', values: ['zero', 'mean', 'resample'], default: 'mean', description: 'Zero, mean or resample ablation.' },
        scope: { type: 'enum', method: 'Sufficiency (`scope: complement`)', values: ['circuit', 'complement'], default: 'circuit', description: 'Ablate the circuit, or everything else in its tensors (keep only the circuit).' },
      },
    },
    degradation: {
      type: 'object',
      method: 'Dials',
      description: 'The degradation dial and the levels it is swept over.',
      properties: {
        dial: { type: 'enum', values: ['sgld', 'weight-noise', 'activation-noise', 'checkpoints'], default: 'sgld', description: 'sgld: tempered local posterior (level = temperature); weight-noise / activation-noise: Gaussian noise (level = σ); checkpoints: earlier checkpoints (level = position or step).' },
        temperatures: {
          type: 'oneOf',
          description: 'The levels: a grid {from, to, count, scale} or an increasing list. Not used by the checkpoints dial.',
          variants: [gridSpec, { type: 'array', description: 'Explicit levels, strictly increasing.', items: { type: 'number', description: 'A level.' } }],
        },
        sgld: sgldSpec,
        parameters: {
          type: 'object',
          description: 'Weight-restricted tempering: only the weights whose names match an include glob (all, without one) and no exclude glob are sampled (sgld) or perturbed (weight-noise); the rest stay at their trained values. ** matches anything, * anything but . and /, ? one such character. The LLC is then the restricted one, with its own d.',
          properties: {
            include: { type: 'array', minItems: 1, description: 'Globs of the weights to sample.', items: { type: 'string', description: 'A glob on weight names, e.g. blocks.*.attn.**' } },
            exclude: { type: 'array', minItems: 1, description: 'Globs of weights to leave at their trained values.', items: { type: 'string', description: 'A glob on weight names.' } },
          },
        },
        noise: {
          type: 'object',
          description: 'Settings of the weight-noise and activation-noise dials.',
          properties: {
            samples: { type: 'integer', minimum: 2, maximum: 1_000_000, default: 8, description: 'Independent noise draws per level (at least 2, for a standard error).' },
            tensors: { type: 'array', minItems: 1, description: 'For activation-noise: the tensors noise is added to.', items: tensor('A tensor of the model.') },
          },
        },
        checkpoints: { type: 'array', minItems: 1, description: 'For the checkpoints dial: earlier ONNX checkpoints of the same graph, in training order.', items: path('An ONNX checkpoint.') },
        steps: { type: 'array', minItems: 1, description: 'For the checkpoints dial: the training step of each checkpoint (the level shown on charts).', items: { type: 'number', description: 'Training step.' } },
        grid: {
          type: 'object',
          method: 'Two dials at once',
          description: 'Two dials at once: every checkpoint here (a row) crossed with every level of `dial` (a column), the dial applied around that checkpoint\'s weights; the verdict\'s tests run in every cell, persistence and collateral at α/(rows · levels) (Bonferroni over the whole map). Run it with `circuit-thermometer grid`. `dial` must be sgld, weight-noise or activation-noise.',
          required: ['checkpoints'],
          properties: {
            checkpoints: { type: 'array', minItems: 1, description: 'Earlier ONNX checkpoints of the same graph, in training order (list the trained model last to see it as a row).', items: path('An ONNX checkpoint.') },
            steps: { type: 'array', minItems: 1, description: 'The training step of each checkpoint (the rows\' labels), increasing.', items: { type: 'number', description: 'Training step.' } },
          },
        },
        seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of every random draw; same seed, same numbers.' },
      },
      jsonSchemaExtra: {
        if: { properties: { dial: { const: 'checkpoints' } }, required: ['dial'] },
        then: { required: ['checkpoints'] },
        else: { required: ['temperatures'] },
      },
    },
    controls: {
      type: 'object',
      method: 'The null',
      description: 'The null every verdict test is measured against: random unit sets of the circuit\'s shape, disjoint from it (docs/method.md, "The null").',
      properties: {
        count: { type: 'integer', minimum: 0, maximum: 1024, default: 39, description: 'K: control sets drawn without replacement when there are more distinct ones than `enumerate`; each is disjoint from the circuit (same tensor, axis and positions) and distinct from the others. The rank test\'s smallest p-value is 1/(K + 1): the default 39 makes it α/2 at α = 0.05 (use ⌈2/α⌉ − 1 for another α). 0 = no null (no verdict).' },
        enumerate: { type: 'integer', minimum: 0, maximum: 100000, default: 256, description: 'When the circuit has at most this many distinct disjoint control sets, all of them are used: an exact null, the same for every seed.' },
        match: { type: 'enum', values: ['size', 'salience'], default: 'size', description: 'size: each component is replaced by as many units drawn uniformly from its tensor and axis; salience: the draw is stratified by each unit\'s single-unit ablation effect on L_n(w*).' },
      },
    },
    verdict: {
      type: 'object',
      method: 'The tests (method version 3)',
      description: 'Thresholds of the verdict tests (docs/method.md, "The tests").',
      properties: {
        collateral: { type: 'enum', values: ['noise', 'null', 'ratio'], default: 'noise', description: 'The collateral statistic that decides "negligible" (all three are computed and reported): noise = E_C within the spread s_C(t) of the degraded network\'s own control loss over draws; null = E_C in excess of random sets\' within their spread; ratio = |E_C/E_T| below collateralTolerance. Each is an equivalence test at α/L (docs/method.md, "Collateral").' },
        collateralTolerance: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'τ_C: the margin of the ratio statistic: collateral is negligible when |E_C/E_T|\'s 1 − 2α/L interval lies below τ_C.' },
        behaviour: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'b: the target behaviour is present at a level while the degraded network keeps at least this fraction of the trained network\'s advantage over the best constant predictor on the target set; levels without it are charted but hold no test.' },
        persistence: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.25, description: 'ρ: the circuit\'s mean excess over the controls persists when its 1 − α/L lower confidence bound is at least ρ · X_T(0).' },
        noiseFloor: { type: 'number', minimum: 0, default: 1e-3, description: 'δ: the smallest loss change treated as signal (the floor of version 2\'s sufficiency margin; the version-3 verdict does not use it).' },
        alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.05, description: 'α: level of the verdict: the rank test at w* at α; persistence and collateral at α/L per level (Bonferroni over the grid\'s L levels), so the chance of any false call in the grid is at most α whatever its density.' },
        sufficiencyTolerance: { type: 'number', method: 'Sufficiency (`scope: complement`)', exclusiveMinimum: 0, default: 0.1, description: 'τ_T (scope: complement, version 2 only): the old sufficiency margin ±τ_T · max(ΔL_T(t), noiseFloor). The version-3 verdict compares E_T with the degradation\'s own spread s_T(t) instead (docs/method.md, "Sufficiency").' },
        rhat: { type: 'number', minimum: 1, default: 1.01, description: 'Largest rank-normalized split-R̂ of L_n, E_T and E_C for a converged level (sgld).' },
        essPerChain: { type: 'number', minimum: 1, default: 100, description: 'Smallest bulk effective sample size per chain of L_n, E_T and E_C for a converged level (sgld).' },
        referenceLoss: { type: 'number', method: 'The characteristic temperature', minimum: 0, description: 'The loss L_n a better model (the state of the art) reaches on the same data and loss. The verdict then reports the characteristic temperature: the level whose degraded loss gap ΔL(t) equals the gap L_n(w*) − referenceLoss (interpolated between the levels around it; said so when it lies outside the swept range), marked on the chart beside the Watanabe temperature.' },
      },
    },
    reference: { type: 'enum', method: 'Setting', values: ['all', 'target', 'control'], default: 'all', description: 'Examples used for mean ablation and resampling.' },
    evaluation: {
      type: 'object',
      method: 'Per draw',
      description: 'Evaluate every draw on a seeded subset of the data (for large datasets): the sampler still uses all of it. The results state the subset and the row-sampling standard error at the trained network, which the per-level standard errors do not contain (docs/method.md, "Evaluation rows").',
      required: ['rows'],
      properties: {
        rows: { type: 'integer', minimum: 2, maximum: 100000000, description: 'Rows evaluated per draw, target and control in the data\'s proportions; at least one of each. A number ≥ n evaluates every row.' },
      },
    },
  },
};

/** Default values of an object spec whose keys are all optional; undefined when something is required. */
export function defaultsOf(spec: Spec): unknown {
  if (spec.type === 'object') {
    if ((spec.required ?? []).length > 0 || spec.exactlyOne) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(spec.properties)) {
      const d = defaultsOf(s);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  return 'default' in spec ? spec.default : undefined;
}

/** The default of the setting at `path` (keys from the top of a hypothesis, e.g. ['controls', 'count']): a leaf's
 *  `default`, or an object of its children's. Throws when the spec has no such setting (a typo, not a user error). */
export function defaultAt(path: readonly string[]): unknown {
  let spec: Spec = HYPOTHESIS_SPEC;
  for (const key of path) {
    if (spec.type !== 'object' || !Object.prototype.hasOwnProperty.call(spec.properties, key)) throw new Error(`the hypothesis spec has no setting ${path.join('.')}`);
    spec = spec.properties[key]!;
  }
  return defaultsOf(spec);
}

/** The numeric default of the setting at `path`; throws when it has none. */
export function numberDefault(path: readonly string[]): number {
  const v = defaultAt(path);
  if (typeof v !== 'number') throw new Error(`the hypothesis spec gives ${path.join('.')} no numeric default`);
  return v;
}

export const SCHEMA_ID = 'https://circuit-thermometer.invalid/schemas/circuit-hypothesis.schema.json';

/** The draft-07 JSON Schema of a spec (descriptions and defaults included, for editors). */
export function toJsonSchema(spec: Spec = HYPOTHESIS_SPEC, top = true): Record<string, unknown> {
  const out: Record<string, unknown> = top
    ? { $schema: 'http://json-schema.org/draft-07/schema#', $id: SCHEMA_ID, title: 'Circuit hypothesis' }
    : {};
  out.description = spec.description;
  switch (spec.type) {
    case 'string':
      out.type = 'string';
      if (spec.pattern) out.pattern = spec.pattern.regex;
      else if (spec.role !== 'text') out.minLength = 1;
      if (spec.default !== undefined) out.default = spec.default;
      break;
    case 'number':
    case 'integer':
      out.type = spec.type;
      if (spec.minimum !== undefined) out.minimum = spec.minimum;
      if (spec.exclusiveMinimum !== undefined) out.exclusiveMinimum = spec.exclusiveMinimum;
      if (spec.maximum !== undefined) out.maximum = spec.maximum;
      if (spec.default !== undefined) out.default = spec.default;
      break;
    case 'enum':
      out.type = 'string';
      out.enum = [...spec.values];
      if (spec.default !== undefined) out.default = spec.default;
      break;
    case 'array':
      out.type = 'array';
      out.items = toJsonSchema(spec.items, false);
      if (spec.minItems !== undefined) out.minItems = spec.minItems;
      break;
    case 'oneOf':
      out.oneOf = spec.variants.map((v) => toJsonSchema(v, false));
      if (spec.default !== undefined) out.default = spec.default;
      break;
    case 'object': {
      out.type = 'object';
      out.properties = Object.fromEntries(Object.entries(spec.properties).map(([k, s]) => [k, toJsonSchema(s, false)]));
      if (spec.required?.length) out.required = [...spec.required];
      out.additionalProperties = spec.additional ? toJsonSchema(spec.additional, false) : false;
      if (spec.exactlyOne) out.oneOf = spec.exactlyOne.map((k) => ({ required: [k] }));
      const d = defaultsOf(spec);
      if (d !== undefined && !top) out.default = d;
      Object.assign(out, spec.jsonSchemaExtra ?? {});
      break;
    }
  }
  return out;
}
