"""Chapter 3 benchmark: the cost of the three forms of SSD against softmax attention, on CPU.

    python benchmarks/bench_ssd.py            # fp32, 2 threads, b=2 h=8 p=64 n=64 chunk_size=64

Every figure is measured in this one run: the machine's fp32 matmul throughput (a 1024×1024
matmul, the ceiling on a CPU), the times of ``ssd_recurrent``, ``ssd_quadratic``,
``ssd_chunked`` and ``torch.nn.functional.scaled_dot_product_attention`` against the sequence
length, the peak memory of ``ssd_chunked`` (in a fresh process), and the targets:

* ``ssd_chunked`` ≥ 4× faster than ``ssd_recurrent`` at l = 4096;
* its useful work (the four steps' FLOPs, ``ssd.ssd_flops``) at ≥ 15% of the matmul throughput;
* linear time: t(16384) / t(2048) ≤ 10;
* linear peak memory (log-log slope of the growth ≤ 1.2, no l × l tensor);
* the crossover length where chunked SSD beats softmax attention.

Times are the best of several runs: on a shared machine the minimum is the cost of the code,
the rest is other processes. It prints PASS/FAIL per target, exits 1 if one fails, and writes
``benchmarks/results/bench_ssd.json`` (config, hardware, versions, command, all numbers), which
Chapter 3 plots.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssmcourse import bench, ssd  # noqa: E402

CONFIG = dict(b=2, h=8, p=64, n=64, chunk_size=64, dtype="float32")
LENGTHS = [128, 256, 512, 1024, 2048, 4096, 8192, 16384]
MAX_QUADRATIC, MAX_RECURRENT, MAX_ATTENTION = 2048, 4096, 8192


def inputs(l: int, seed: int = 0):
    """SSD inputs at the benchmark's size: ``X, A, B, C`` with moderate decay."""
    g = torch.Generator().manual_seed(seed)
    b, h, p, n = (CONFIG[k] for k in "bhpn")
    X = torch.randn(b, l, h, p, generator=g)
    A = -0.1 * torch.rand(b, l, h, generator=g)
    B = torch.randn(b, l, h, n, generator=g) / n ** 0.5
    C = torch.randn(b, l, h, n, generator=g) / n ** 0.5
    return X, A, B, C


def chunked_at(l: int) -> None:
    """One ``ssd_chunked`` call at length ``l`` (the peak-memory probe, run in a subprocess)."""
    torch.set_num_threads(2)
    ssd.ssd_chunked(*inputs(l), chunk_size=CONFIG["chunk_size"])


def best_of(fn, repeat: int) -> tuple[float, float]:
    """(minimum, median) wall seconds of ``fn()`` over ``repeat`` runs after one warm-up."""
    seconds = bench.times(fn, repeat)
    return min(seconds), statistics.median(seconds)


def matmul_gflops(repeat: int) -> float:
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    return 2 * 1024 ** 3 / best_of(lambda: a @ b, repeat)[0] / 1e9


def timings(repeat: int) -> dict[str, dict[int, float]]:
    out = {"recurrent": {}, "quadratic": {}, "chunked": {}, "attention": {}}
    q = CONFIG["chunk_size"]
    for l in LENGTHS:
        X, A, B, C = inputs(l)
        Q, K, V = (t.transpose(1, 2).contiguous() for t in (C, B, X))  # (b, h, l, ·)
        out["chunked"][l] = best_of(lambda: ssd.ssd_chunked(X, A, B, C, q), repeat)[0]
        if l <= MAX_ATTENTION:
            attn = lambda: F.scaled_dot_product_attention(Q, K, V, is_causal=True)  # noqa: E731
            out["attention"][l] = best_of(attn, repeat)[0]
        if l <= MAX_QUADRATIC:
            out["quadratic"][l] = best_of(lambda: ssd.ssd_quadratic(X, A, B, C), repeat)[0]
        if l <= MAX_RECURRENT:
            out["recurrent"][l] = best_of(lambda: ssd.ssd_recurrent(X, A, B, C),
                                          1 if l > 1024 else repeat)[0]
        print(f"  l={l:>6}: " + "  ".join(f"{k} {v[l] * 1e3:9.2f} ms" for k, v in out.items()
                                          if l in v), flush=True)
    return out


def crossover(t: dict[str, dict[int, float]]) -> tuple[int | None, int | None]:
    """(last l where attention wins, first l from which chunked SSD wins at every longer l)."""
    common = sorted(set(t["chunked"]) & set(t["attention"]))
    first = bench.crossover(common, [t["attention"][l] for l in common],
                            [t["chunked"][l] for l in common])
    if first is None:
        return common[-1], None
    i = common.index(first)
    return (common[i - 1] if i else None), first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bench_ssd.json"))
    args = parser.parse_args()
    os.chdir(ROOT)  # the memory probe is imported as benchmarks.bench_ssd in a fresh process
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    b, h, p, n, q = (CONFIG[k] for k in ("b", "h", "p", "n", "chunk_size"))
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"SSD benchmark: {cpu}, {os.cpu_count()} CPUs visible, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    print(f"config: b={b} h={h} p={p} n={n} chunk_size={q} fp32; times are best of {args.repeat}")

    peak = matmul_gflops(20)
    print(f"fp32 matmul 1024x1024: {peak:.1f} GFLOP/s")
    t = timings(args.repeat)
    peak = max(peak, matmul_gflops(20))  # measured again after the sweep: the better of the two
    memory = bench.peak_memory_growth("benchmarks.bench_ssd:chunked_at", [1024, 2048, 4096, 8192, 16384])

    speedup = t["recurrent"][4096] / t["chunked"][4096]
    rate = ssd.ssd_flops("chunked", b, 4096, h, p, n, q) / t["chunked"][4096] / 1e9
    growth = t["chunked"][16384] / t["chunked"][2048]
    mem_slope = bench.loglog_slope([2048, 4096, 8192, 16384], [max(m, 1.0) for m in memory[1:]])
    last_attn, first_ssd = crossover(t)
    targets = [
        ("chunked vs recurrent at l=4096", f"{speedup:.1f}x faster", speedup >= 4, ">= 4x"),
        ("chunked useful FLOP rate at l=4096",
         f"{rate:.1f} GFLOP/s = {rate / peak:.1%} of matmul", rate / peak >= 0.15, ">= 15%"),
        ("chunked t(16384) / t(2048)", f"{growth:.2f} (8 = linear)", growth <= 10, "<= 10"),
        ("chunked peak memory, log-log slope in l", f"{mem_slope:.2f} "
         f"({memory[-1] / 2**20:.0f} MiB at l=16384)", mem_slope <= 1.2, "<= 1.2 (linear)"),
        ("crossover with softmax attention (SDPA)",
         f"chunked wins from l={first_ssd} (attention wins at l={last_attn})",
         first_ssd is not None, "exists"),
    ]
    print("\ntargets:")
    for name, value, ok, want in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {value}   [target {want}]")

    result = {
        "command": " ".join(["python", "benchmarks/bench_ssd.py", *sys.argv[1:]]),
        "config": CONFIG | {"threads": torch.get_num_threads(), "repeat": args.repeat},
        "hardware": cpu, "cpus_visible": os.cpu_count(), "torch": torch.__version__,
        "python": platform.python_version(), "matmul_gflops": peak,
        "seconds": {form: {str(l): s for l, s in v.items()} for form, v in t.items()},
        "flops": {form: {str(l): ssd.ssd_flops(form, b, l, h, p, n, q) for l in v}
                  for form, v in t.items() if form != "attention"},
        "chunked_peak_memory_bytes": dict(zip(["1024", "2048", "4096", "8192", "16384"], memory)),
        "targets": {name: {"value": value, "pass": bool(ok), "target": want}
                    for name, value, ok, want in targets},
        "crossover": {"attention_wins_at": last_attn, "chunked_wins_from": first_ssd},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {Path(args.out).relative_to(ROOT) if Path(args.out).is_relative_to(ROOT) else args.out}")
    return 0 if all(ok for _, _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
