"""Figures of Chapter 1 (linear recurrences)."""
from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import torch

from .. import recurrence
from . import stamp

_B = torch.tensor([[1.0], [0.0]])


def _rotation_response(r: float, theta: float, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Impulse response ``(steps,)`` and state trajectory ``(steps, 2)`` of ``rotation_scaling(r, θ)``."""
    A = recurrence.rotation_scaling(r, theta)
    x = torch.zeros(1, steps, 1)
    x[0, 0, 0] = 1
    h, _ = recurrence.scan(A, _B, torch.eye(2), x)  # C = I reads out the whole state
    return h[0, :, 0], h[0]  # y_k = [1, 0] h_k, and the path h_k


def plot_eigen_response(r: float = 0.9, theta: float = 0.3, steps: int = 40) -> plt.Figure:
    """Eigenvalues ``r e^{±iθ}``, the impulse response ``y_k = C A^k B`` and the state path."""
    y, h = _rotation_response(r, theta, steps)
    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(11, 3.4))
    circle = torch.linspace(0, 2 * math.pi, 200)
    ax0.plot(torch.cos(circle), torch.sin(circle), color="0.6", lw=1)
    ax0.scatter([r * math.cos(theta)] * 2, [r * math.sin(theta), -r * math.sin(theta)],
                color="C3" if r >= 1 else "C0", zorder=3)
    ax0.set(aspect="equal", xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), xlabel="Re λ", ylabel="Im λ",
            title=f"eigenvalues  |λ| = {r:.2f}")
    ax1.stem(range(steps), y.numpy(), basefmt=" ")
    ax1.set(xlabel="lag k (steps)", ylabel="y_k = C Aᵏ B", title="impulse response")
    ax2.plot(h[:, 0], h[:, 1], "-o", ms=2.5)
    ax2.set(aspect="equal", xlabel="h[0]", ylabel="h[1]", title="state trajectory from h = B")
    fig.tight_layout()
    return stamp(fig, f"ssmcourse.viz.recurrence.plot_eigen_response(r={r}, theta={theta:.2f})")


def plot_impulse_gallery(rs: Sequence[float], thetas: Sequence[float], steps: int = 40) -> plt.Figure:
    """Small multiples: the impulse response for every ``(r, θ)`` (rows: r, columns: θ)."""
    fig, axes = plt.subplots(len(rs), len(thetas), figsize=(2.6 * len(thetas), 1.9 * len(rs)),
                             sharex=True, squeeze=False)
    for i, r in enumerate(rs):
        for j, theta in enumerate(thetas):
            y, _ = _rotation_response(r, theta, steps)
            ax = axes[i, j]
            ax.stem(range(steps), y.numpy(), basefmt=" ", markerfmt=".",
                    linefmt="C3-" if r >= 1 else "C0-")
            ax.set_title(f"r={r}, θ={theta:.2f}", fontsize=9)
            ax.tick_params(labelsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("lag k")
    fig.suptitle("Impulse responses y_k = C Aᵏ B (red: |λ| ≥ 1, unstable or marginal)")
    fig.tight_layout()
    return stamp(fig, "ssmcourse.viz.recurrence.plot_impulse_gallery")
