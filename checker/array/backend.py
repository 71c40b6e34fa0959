"""The array module the engine computes with: numpy on the CPU, or CuPy on a GPU where one is present.

CuPy implements numpy's interface on CUDA devices, so the engine is written once against numpy's
functions. ``--device gpu`` asks for it; without CuPy or without a visible GPU that is a clear
error (exit 2), never a silent fall back to the CPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from checker.errors import QuorumError

DEVICES = ("cpu", "gpu")


def select(device: str) -> tuple[Any, str]:
    """(array module, the device in words) for ``device``."""
    if device == "cpu":
        return np, "cpu (numpy)"
    if device != "gpu":
        raise QuorumError(f"unknown device {device!r}: use 'cpu' or 'gpu'")
    try:
        import cupy  # noqa: PLC0415 - optional, only for --device gpu
    except ImportError:
        raise QuorumError("--device gpu needs CuPy and a CUDA GPU: pip install cupy-cuda12x "
                          "(or run on the CPU: --device cpu)") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # noqa: BLE001 - any CUDA failure means no usable GPU
        raise QuorumError(f"--device gpu: CuPy sees no usable GPU ({err})") from None
    if not count:
        raise QuorumError("--device gpu: CuPy sees no GPU")
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    raise QuorumError(f"--device gpu: CuPy found {name}, but this version of the array engine runs its "
                      "seen-set and frontier on the CPU only; use --device cpu")
