"""Where the array engine computes: numpy on the CPU.

``--device gpu`` is refused with a clear error (exit 2), never a silent fall back to the CPU:
without CuPy or a visible GPU it names what is missing; with them it says that this version
computes on the CPU only (its seen-set and frontier are numpy arrays; a GPU run is not written
until it can be measured on a GPU).
"""

from __future__ import annotations

from checker.errors import QuorumError


def select(device: str) -> str:
    """The device in words, for ``device`` (only the CPU runs)."""
    if device == "cpu":
        return "cpu (numpy)"
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
