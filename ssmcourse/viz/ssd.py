"""Figures of Chapter 3 (SSD: state space models are structured attention)."""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

from .. import ssd
from . import stamp


def _heatmap(ax, M: torch.Tensor, title: str, signed: bool = True):
    """Draw a causal ``(l, l)`` matrix; the (zero) upper triangle is left blank."""
    l = M.shape[-1]
    shown = M.detach().double().clone()
    shown[torch.triu(torch.ones(l, l, dtype=torch.bool), 1)] = math.nan
    if signed:
        lim = float(shown.nan_to_num().abs().max()) or 1.0
        image = ax.imshow(shown, cmap="RdBu_r", vmin=-lim, vmax=lim)
    else:
        image = ax.imshow(shown, cmap="viridis", vmin=0)
    ax.set(title=title, xlabel="key / source position j", ylabel="query / output position i")
    plt.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
    return image


def plot_attention_matrices(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor,
                            head: int = 0) -> plt.Figure:
    """Three sequence maps ``Y = M X`` side by side, for batch 0 and one ``head``:
    softmax attention, causal linear attention (``C Bᵀ`` masked) and SSD's ``L ∘ C Bᵀ``.

    ``A (b,l,h)`` log-decays, ``B, C (b,l,h,n)`` play keys and queries (``K = B``, ``Q = C``).
    """
    Q, K = C[0, :, head], B[0, :, head]                                   # (l, n)
    l, n = Q.shape
    scores = (Q @ K.T) / math.sqrt(n)
    causal = torch.tril(torch.ones(l, l, dtype=torch.bool))
    softmax = torch.softmax(scores.masked_fill(~causal, -torch.inf), dim=-1)
    linear = (Q @ K.T).masked_fill(~causal, 0)
    M = ssd.ssd_matrix(A, B, C)[0, head]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    _heatmap(axes[0], softmax, "softmax attention\nsoftmax(Q Kᵀ/√n + causal mask)", signed=False)
    _heatmap(axes[1], linear, "causal linear attention\nQ Kᵀ ∘ causal mask  (SSD, a = 1)")
    _heatmap(axes[2], M, "SSD (Mamba-2)\nM = L ∘ C Bᵀ,  L[i,j] = a_{j+1}···a_i")
    fig.suptitle(f"Three causal sequence maps Y = M X  (l = {l}, n = {n}, head {head}; "
                 f"Q = C, K = B)")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return stamp(fig, "ssmcourse.viz.ssd.plot_attention_matrices")


def _draw_blocks(ax, M: torch.Tensor, q: int) -> None:
    """``M`` with its chunk blocks outlined and each off-diagonal block's rank written in it."""
    l = M.shape[-1]
    _heatmap(ax, M, "")
    edges = list(range(0, l, q))
    for i in edges:
        for j in edges[:edges.index(i) + 1]:
            block = M[i:i + q, j:j + q]
            diagonal = i == j
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), block.shape[1], block.shape[0], fill=False,
                                   lw=1.6 if diagonal else 1.0, ec="black" if diagonal else "green"))
            if not diagonal and q >= 4:
                rank = int(torch.linalg.matrix_rank(block, rtol=1e-6 * block.shape[0]))
                ax.text(j + block.shape[1] / 2 - 0.5, i + block.shape[0] / 2 - 0.5, f"r{rank}",
                        ha="center", va="center", fontsize=7 if q < 8 else 9, color="darkgreen")
    ax.set_title(f"{len(edges)}×{len(edges)} chunks of q = {q}", fontsize=10)


def plot_chunk_blocks(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor, chunk_size: int = 8,
                      head: int = 0) -> plt.Figure:
    """SSD's ``M`` (batch 0, one ``head``) with its ``chunk_size × chunk_size`` blocks outlined:
    diagonal blocks (step 1, small attentions) in black, off-diagonal blocks (steps 2–4,
    through the state) in green, each labelled with its numerical rank (at most n)."""
    M = ssd.ssd_matrix(A, B, C)[0, head].double()
    fig, ax = plt.subplots(figsize=(6.2, 5.6))
    _draw_blocks(ax, M, chunk_size)
    ax.set_title(f"M in chunks of q = {chunk_size}: diagonal blocks (black) and\n"
                 f"low-rank off-diagonal blocks (green, r = rank ≤ n = {B.shape[-1]})")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return stamp(fig, f"ssmcourse.viz.ssd.plot_chunk_blocks(chunk_size={chunk_size})")


def plot_chunk_gallery(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor,
                       chunk_sizes: Sequence[int] = (4, 8, 16), head: int = 0) -> plt.Figure:
    """Small multiples of :func:`plot_chunk_blocks`: the same ``M`` cut at several chunk sizes."""
    M = ssd.ssd_matrix(A, B, C)[0, head].double()
    k = len(chunk_sizes)
    fig, axes = plt.subplots(1, k, figsize=(4.4 * k, 4.2), squeeze=False)
    for ax, q in zip(axes[0], chunk_sizes):
        _draw_blocks(ax, M, q)
    fig.suptitle(f"The same M = L ∘ C Bᵀ in chunks: diagonal blocks (black) are small attentions, "
                 f"off-diagonal blocks (green) have rank ≤ n = {B.shape[-1]}")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return stamp(fig, f"ssmcourse.viz.ssd.plot_chunk_gallery(chunk_sizes={tuple(chunk_sizes)})")


def plot_segsum_errors(lengths: Sequence[int], errors: Mapping[str, Sequence[float]]) -> plt.Figure:
    """Max error of ``exp(segsum)`` against float64, per method, against the length.

    ``errors[method][k]`` is the error at ``lengths[k]``; NaN (the method produced NaN) is drawn
    as a cross at the top of the axis.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4))
    finite = [e for errs in errors.values() for e in errs if math.isfinite(e) and e > 0]
    top = max(finite) * 10 if finite else 1.0
    for k, (method, errs) in enumerate(errors.items()):
        ok = [(L, max(e, 1e-12)) for L, e in zip(lengths, errs) if math.isfinite(e)]
        bad = [L for L, e in zip(lengths, errs) if not math.isfinite(e)]
        if ok:
            ax.plot(*zip(*ok), "-o", color=f"C{k}", label=method)
        if bad:
            ax.plot(bad, [top] * len(bad), "x", ms=10, mew=2, color=f"C{k}",
                    label=f"{method}: NaN")
    ax.set(xscale="log", yscale="log", xlabel="sequence length l",
           ylabel="max |exp(segsum) − float64 truth|",
           title="L = exp(segsum(A)) in fp32, three ways")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return stamp(fig, "ssmcourse.viz.ssd.plot_segsum_errors")


def plot_timings(seconds: Mapping[str, Mapping[int, float]], title: str) -> plt.Figure:
    """Log-log wall time against sequence length, one line per form (``{form: {l: s}}``),
    with the first length from which ``"chunked"`` beats ``"attention"`` marked."""
    seconds = {form: {int(l): float(s) for l, s in times.items()}
               for form, times in seconds.items()}
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    styles = {"recurrent": "C3", "quadratic": "C1", "chunked": "C0", "attention": "C2"}
    for form, times in seconds.items():
        ls = sorted(times.items())
        ax.plot(*zip(*ls), "-o", ms=4, color=styles.get(form), label=form)
    chunked, attention = seconds.get("chunked", {}), seconds.get("attention", {})
    common = sorted(set(chunked) & set(attention))
    wins = [l for k, l in enumerate(common)
            if all(chunked[m] < attention[m] for m in common[k:])]
    if wins:
        ax.axvline(wins[0], color="0.5", ls="--", lw=1)
        ax.text(wins[0], ax.get_ylim()[1], f" chunked SSD faster\n from l = {wins[0]}",
                va="top", fontsize=8, color="0.3")
    ax.set(yscale="log", xlabel="sequence length l", ylabel="wall time (s)", title=title)
    ax.set_xscale("log", base=2)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return stamp(fig, "ssmcourse.viz.ssd.plot_timings")
