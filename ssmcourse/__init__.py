"""ssmcourse: the companion package of *State Space Models & Hybrid Architectures*.

One module per idea of the course; each algorithm a chapter teaches has exactly one
implementation here, which the chapter shows and checks against its naive version.

    recurrence   Chapter 1: discretisation, the sequential scan, streaming, stability
    convolution  Chapter 2: kernels K_k = C A^k B, causal convolution (direct, FFT)
    ssd          Chapter 3: segsum, the semiseparable matrix, SSD (loop, quadratic, chunked)
    nn           small torch.nn.Modules (the S4D layer of Chapter 2)
    memory       state size and KV-cache accounting
    check        check(actual, expected): tolerant comparison that prints ✔ or a readable diff
    exercises    check("N.k", answer): the autograder of the notebooks' exercises
    viz          figures and widgets (each widget wraps a plain function returning a figure)
    bench        timing and peak-memory measurement
"""
from .config import SIZE, pick
from .env import doctor

__version__ = "0.1.0"
__all__ = ["SIZE", "pick", "doctor", "__version__"]
