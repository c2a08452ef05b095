"""Figures of Chapter 2 (the convolution view). Each function returns a stamped Figure."""
from __future__ import annotations

import math
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..convolution import s4d_discretize, s4d_kernel, toeplitz
from . import stamp


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def plot_toeplitz(K: torch.Tensor, M: torch.Tensor) -> plt.Figure:
    """Kernel taps ``K (L,)``, the recurrence's input→output matrix ``M (L,L)`` and the Toeplitz
    matrix ``𝒯[i,j] = K_{i-j}`` side by side (``M`` is measured by feeding impulses to the scan)."""
    K, T = _np(K), _np(toeplitz(K))
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), width_ratios=[1.3, 1, 1], layout="constrained")
    axes[0].stem(np.arange(len(K)), K, basefmt="0.6")
    axes[0].set(title="kernel $K_k = C\\bar A^k \\bar B$", xlabel="lag k (steps)", ylabel="$K_k$")
    lim = float(np.abs(T).max()) or 1.0
    for ax, mat, title in [(axes[1], _np(M), "recurrence: column j = scan of impulse at j"),
                           (axes[2], T, "Toeplitz: $\\mathcal{T}_{ij} = K_{i-j}$")]:
        im = ax.imshow(mat, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set(title=title, xlabel="input time j", ylabel="output time i")
        ax.title.set_fontsize(9)
    fig.colorbar(im, ax=axes[1:], shrink=0.8, label="weight of $x_j$ in $y_i$")
    fig.suptitle("$y = \\mathcal{T} x$: one fixed weighted sum over the past, "
                 "the same for every input")
    return stamp(fig, "ssmcourse.viz.convolution.plot_toeplitz")


def plot_circular_vs_causal(x: torch.Tensor, y_causal: torch.Tensor,
                            y_circular: torch.Tensor) -> plt.Figure:
    """An input ``x (l,)`` and its causal and circular (unpadded FFT) convolutions ``(l,)``."""
    t = np.arange(len(_np(x)))
    fig, axes = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True)
    axes[0].plot(t, _np(x), color="0.3")
    axes[0].set(title="input: a burst at the end of the sequence", ylabel="$x_t$")
    axes[1].plot(t, _np(y_causal), label="causal (zero-padded FFT)", lw=2.5)
    axes[1].plot(t, _np(y_circular), "--", label="circular (FFT without padding)")
    axes[1].set(title="the circular result leaks the end of the sequence into its start",
                xlabel="time t (steps)", ylabel="$y_t$")
    axes[1].legend(loc="upper center")
    fig.tight_layout()
    return stamp(fig, "ssmcourse.viz.convolution.plot_circular_vs_causal")


def plot_timings(lengths: Sequence[int], seconds: Mapping[str, Sequence[float]],
                 crossovers: Mapping[str, int | None] | None = None,
                 what: str = "one S4D layer") -> plt.Figure:
    """Log-log wall time against sequence length ``l`` for each method; crossovers marked.

    ``what`` names the timed computation in the title (e.g. ``"one S4D layer (d=16, n=16)"``).
    """
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, ts in seconds.items():
        ax.loglog(lengths, ts, "o-", label=name)
    top = ax.get_ylim()[1]
    for i, (name, l) in enumerate((crossovers or {}).items()):
        if l is not None:
            ax.axvline(l, color="0.6", ls=":")
            ax.text(l, top / 4 ** i, f" {name} from l={l}", va="top", fontsize=8)
    ax.set(title=f"{what}, measured on this machine, one thread",
           xlabel="sequence length l (steps)", ylabel="wall time (s)")
    ax.legend(loc="lower right", fontsize=8)
    return stamp(fig, "ssmcourse.viz.convolution.plot_timings")


def plot_kernels(kernels: Mapping[str, torch.Tensor], title: str,
                 labels: Sequence[str] | None = None, normalize: bool = False) -> plt.Figure:
    """One panel per named kernel; each ``(c, L)`` (c curves, e.g. channels) or ``(L,)``.

    ``labels`` name the curves; ``normalize`` divides each curve by its largest ``|K_k|`` and uses
    a logarithmic lag axis, so that memories of very different lengths can be compared.
    """
    fig, axes = plt.subplots(1, len(kernels), figsize=(4.2 * len(kernels), 3.2), squeeze=False)
    for ax, (name, K) in zip(axes[0], kernels.items()):
        K = np.atleast_2d(_np(K))
        for i, row in enumerate(K):
            row = row / np.abs(row).max() if normalize else row
            lags = np.arange(len(row)) + (1 if normalize else 0)
            ax.plot(lags, row, lw=1, label=labels[i] if labels else None)
        ax.set(title=name, xlabel="lag k + 1 (steps)" if normalize else "lag k (steps)",
               ylabel="$K_k / \\max |K|$" if normalize else "$K_k$",
               xscale="log" if normalize else "linear")
        if labels:
            ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return stamp(fig, "ssmcourse.viz.convolution.plot_kernels")


def plot_training(curves: Mapping[str, Sequence[float]], floor: float | None = None,
                  floor_label: str = "best any LTI model can do",
                  title: str = "training an LTI layer") -> plt.Figure:
    """Training loss against step for each named run.

    ``floor``: a loss no LTI model can beat, drawn with ``floor_label`` (say which task it is for).
    """
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, losses in curves.items():
        ax.semilogy(losses, label=name)
    if floor is not None:
        ax.axhline(floor, color="k", ls=":", label=f"{floor_label} ({floor:.2f})")
    ax.set(title=title, xlabel="training step",
           ylabel="mean squared error")
    ax.legend(fontsize=8)
    return stamp(fig, "ssmcourse.viz.convolution.plot_training")


def _explore(axes, decay: float, frequency: float, log10_dt: float, L: int) -> None:
    dt = 10.0 ** log10_dt
    A = torch.tensor([[complex(-decay, frequency)]], dtype=torch.complex128)
    log_dt = torch.tensor([math.log(dt)], dtype=torch.float64)
    K = s4d_kernel(log_dt, A, torch.ones(1, 1, dtype=A.dtype), L)[0].numpy()  # 2·Re(B̄ λ^k)
    Ab, Bb = s4d_discretize(log_dt, A)
    lam = complex(Ab[0, 0])
    circle = np.exp(1j * np.linspace(0, 2 * np.pi, 200))
    axes[0].plot(circle.real, circle.imag, color="0.7")
    axes[0].plot([lam.real, lam.real], [lam.imag, -lam.imag], "x", ms=10, mew=2)
    axes[0].set(xlim=(-1.15, 1.15), ylim=(-1.15, 1.15), aspect="equal",
                title=f"$\\bar A = e^{{\\Delta A}}$: |λ|={abs(lam):.3f}, arg λ={np.angle(lam):.2f}",
                xlabel="Re λ", ylabel="Im λ")
    axes[0].title.set_fontsize(9)
    axes[1].plot(np.arange(L), K, lw=1.5)
    envelope = 2 * abs(complex(Bb[0, 0])) * abs(lam) ** np.arange(L)  # |2 B̄ λ^k|
    axes[1].plot(envelope, color="0.5", ls="--", lw=1, label="envelope $2|\\bar B||λ|^k$")
    axes[1].legend(fontsize=8, loc="upper right")
    axes[1].set(title=f"A = {-decay:g} + {frequency:g}i, Δ = {dt:.3g}: memory ≈ "
                      f"1/(Δ·{decay:g}) = {1 / (dt * decay):.0f} steps",
                xlabel="lag k (steps)", ylabel="$K_k$")
    axes[1].title.set_fontsize(9)


def kernel_explorer(decay: float = 0.5, frequency: float = 3.14, log10_dt: float = -1.0,
                    L: int = 128) -> plt.Figure:
    """One S4D mode ``A = -decay + i·frequency`` with step ``Δ = 10^log10_dt`` → its kernel.

    ``Ā = exp(ΔA)`` sits at radius ``exp(-Δ·decay)`` (memory ≈ ``1/(Δ·decay)`` steps) and angle
    ``Δ·frequency`` (radians per step: the oscillation). The kernel is :func:`s4d_kernel`'s.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), width_ratios=[1, 2])
    _explore(axes, decay, frequency, log10_dt, L)
    fig.tight_layout()
    return stamp(fig, "ssmcourse.viz.convolution.kernel_explorer")


def kernel_gallery(settings: Sequence[tuple[float, float, float]], L: int = 128) -> plt.Figure:
    """Small multiples of :func:`kernel_explorer`, one row per ``(decay, frequency, log10_dt)``."""
    fig, axes = plt.subplots(len(settings), 2, figsize=(9, 2.6 * len(settings)),
                             width_ratios=[1, 2], squeeze=False)
    for row, (decay, frequency, log10_dt) in zip(axes, settings):
        _explore(row, decay, frequency, log10_dt, L)
    fig.suptitle("eigenvalue placement → kernel shape (static version of the explorer)")
    fig.tight_layout()
    return stamp(fig, "ssmcourse.viz.convolution.kernel_gallery")
