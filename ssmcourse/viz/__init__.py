"""Figures and widgets. Every widget is a thin shell over a plain function returning a figure,
so the same picture appears live in Jupyter and as a static image in the built book.

Chapter modules: ``viz.recurrence`` (Chapter 1), ``viz.convolution`` (2), ``viz.ssd`` (3).
"""
from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt


def stamp(fig: plt.Figure, source: str) -> plt.Figure:
    """Write what produced ``fig`` in small print at its bottom edge (every figure says so)."""
    fig.text(0.995, 0.005, f"produced by {source}", ha="right", va="bottom",
             fontsize=7, color="0.45")
    return fig


def widget(plot: Callable[..., plt.Figure], **controls):
    """Return an ``ipywidgets`` control panel that redraws ``plot(**values)`` on change.

    ``controls`` map ``plot``'s keyword arguments to ipywidgets (or interact abbreviations such
    as ``(min, max, step)``). Controls start at ``plot``'s defaults, so the live panel opens on
    the same picture as the static one, and redraw when a slider is released.
    """
    import inspect

    import ipywidgets as widgets
    from IPython.display import display

    def redraw(**values):
        fig = plot(**values)
        display(fig)
        plt.close(fig)

    panel = widgets.interactive(redraw, **controls)
    defaults = {name: p.default for name, p in inspect.signature(plot).parameters.items()}
    for control in panel.children[:-1]:
        control.continuous_update = False
        if defaults.get(control.description, inspect.Parameter.empty) is not inspect.Parameter.empty:
            control.value = defaults[control.description]
    return panel


def show(fn: Callable):
    """Display the source of a package function as a code block (the one source of truth)."""
    import inspect

    from IPython.display import Markdown

    return Markdown(f"```python\n{inspect.getsource(fn).rstrip()}\n```")


def plot_curves(x: Sequence[float], curves: dict[str, Sequence[float]], xlabel: str, ylabel: str,
                title: str, source: str, log: bool = False) -> plt.Figure:
    """Several measured or computed curves over one x axis (log-log when ``log``)."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for name, ys in curves.items():
        (ax.loglog if log else ax.plot)(x, ys, "-o" if len(x) <= 20 else "-", ms=4, label=name)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return stamp(fig, source)
