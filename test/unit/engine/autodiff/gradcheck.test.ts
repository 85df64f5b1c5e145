// The checker itself: it must fail wrong gradients (not only pass right ones) and be deterministic.
import * as assert from 'node:assert/strict';
import { gradcheck } from '../../../../src/engine/autodiff/gradcheck';
import { REGISTRY } from '../../../../src/engine/autodiff/registry';
import { GradRule, RegistryEntry } from '../../../../src/engine/autodiff/types';
import { mlpModel } from '../../../fixtures/models';
import { opModel } from '../../../support/opModel';

/** Runs `body` with the registry entry of `op` replaced by `rule`. */
async function withRule<T>(op: string, rule: GradRule, body: () => Promise<T>): Promise<T> {
  const table = REGISTRY as Record<string, readonly RegistryEntry[]>;
  const saved = table[op];
  table[op] = [{ kind: 'rule', rule }];
  try {
    return await body();
  } finally {
    table[op] = saved;
  }
}

describe('gradcheck: sensitivity and determinism', () => {
  const model = () => opModel(17, (o) => o.b.op('Tanh', [o.b.op('MatMul', [o.p([3, 4]), o.p([4, 5])])]));

  it('a Tanh rule off by 5% fails', async () => {
    const report = await withRule('Tanh', (ctx, [g]) => {
      const y = ctx.node.output[0];
      const c = (v: number) => ctx.b.scalarFloat(v);
      return [ctx.b.mul(ctx.b.mul(g!, ctx.b.sub(c(1), ctx.b.mul(y, y))), c(1.05))];
    }, () => gradcheck(model(), { seed: 1 }));
    assert.equal(report.pass, false);
    assert.ok(report.tensors.every((t) => !t.pass && t.relError > 0.02 && t.relError < 0.1), JSON.stringify(report.tensors.map((t) => t.relError)));
  });

  it('a MatMul rule that drops the gradient of one input (zeros instead) fails for that input only', async () => {
    const report = await withRule('MatMul', (ctx, [g]) => {
      const b = ctx.node.input[1];
      return [ctx.b.op('MatMul', [g!, ctx.b.op('Transpose', [b])]), ctx.b.mul(b, ctx.b.scalarFloat(0))];
    }, () => gradcheck(model(), { seed: 1 }));
    assert.deepEqual(report.tensors.map((t) => t.pass), [true, false]);
    assert.ok(report.tensors[1].relError > 0.5);
  });

  it('same seed, same report; another seed, other directions', async () => {
    const opts = { inputs: { x: { kind: 'float' as const, dims: [3, 8] } } };
    const a = await gradcheck(mlpModel(), { ...opts, seed: 9 });
    const b = await gradcheck(mlpModel(), { ...opts, seed: 9 });
    const c = await gradcheck(mlpModel(), { ...opts, seed: 10 });
    assert.deepEqual(a, b);
    assert.notEqual(a.tensors[0].directions[0].analytic, c.tensors[0].directions[0].analytic);
  });
});
