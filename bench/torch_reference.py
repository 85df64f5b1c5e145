"""PyTorch reference for `npm run bench`: the same SGLD step of the modular-addition MLP, eager, fp32, on the CPU.

step = forward + backward + w -= eps/2*(nbeta*grad + gamma*(w - w0)) + sqrt(eps)*randn_like(w)
MLP 226 -> 512 (ReLU) -> 113, batch 256, cross-entropy; nbeta = n/log n with n = 113^2; eps = 1e-5, gamma = 100.
Also a 1024x1024 fp32 matmul (the bench's GEMM peak) on the same threads.

Run: python3 bench/torch_reference.py [threads]   (prints one JSON object)
"""
import json
import math
import sys
import time

import torch


def steps_per_sec(step, seconds=2.0, warmup=30):
    for _ in range(warmup):
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    return n / (time.perf_counter() - start)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    p, hidden, batch = 113, 512, 256
    n = p * p
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    x_all = torch.cat([torch.nn.functional.one_hot(a, p), torch.nn.functional.one_hot(b, p)], 1).float()
    y_all = (a + b) % p
    model = torch.nn.Sequential(torch.nn.Linear(2 * p, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, p))
    params = list(model.parameters())
    anchor = [w.detach().clone() for w in params]
    eps, gamma, nbeta = 1e-5, 100.0, n / math.log(n)
    pool = [torch.randint(0, n, (batch,)) for _ in range(16)]
    state = {"i": 0}

    def make_step(noise):
        def step():
            idx = pool[state["i"] % len(pool)]
            state["i"] += 1
            loss = torch.nn.functional.cross_entropy(model(x_all[idx]), y_all[idx])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for w, g, w0 in zip(params, grads, anchor):
                    w.add_(eps / 2 * (nbeta * g + gamma * (w - w0)), alpha=-1)
                    if noise:
                        w.add_(torch.randn_like(w), alpha=math.sqrt(eps))
        return step

    with_noise = steps_per_sec(make_step(True))
    without_noise = steps_per_sec(make_step(False))
    size = sum(w.numel() for w in params)
    buf = torch.empty(size)
    randn_ms = min(timeit(lambda: buf.normal_()) for _ in range(5)) * 1e3
    m1, m2 = torch.randn(1024, 1024), torch.randn(1024, 1024)
    gemm_s = min(timeit(lambda: torch.mm(m1, m2), 5) for _ in range(5))
    print(json.dumps({
        "torch": torch.__version__, "threads": threads,
        "mlpStepsPerSec": round(with_noise, 1), "mlpNoNoiseStepsPerSec": round(without_noise, 1),
        "randnMsFor174193": round(randn_ms, 3), "gemm1024Gflops": round(2 * 1024 ** 3 / gemm_s / 1e9, 1),
    }))


def timeit(f, repeats=1):
    f()
    start = time.perf_counter()
    for _ in range(repeats):
        f()
    return (time.perf_counter() - start) / repeats


if __name__ == "__main__":
    main()
