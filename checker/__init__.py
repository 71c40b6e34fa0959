"""Quorum: a model checker and property-based verifier for consensus protocols.

Protocols are plain Python transition systems (``checker.dsl``); every engine — the
explicit-state explorer, Z3 and Hypothesis — interprets the same protocol code.
"""

from checker.dsl import *  # noqa: F403 - the DSL is the public surface
from checker.dsl import __all__ as _dsl_names
from checker.notebook import install as _install_notebook_display

__all__ = [*_dsl_names, "check"]

_install_notebook_display()  # a Result in Jupyter is HTML: see checker/notebook/__init__.py for why it is done here


def check(protocol, properties=None, *, engine="auto", **options):
    """Check a protocol instance; returns a ``Result`` (``.holds``, ``.violated``, ``.trace``, ...).

    ``engine`` names a registered engine (``quorum list`` shows them); ``options`` are that
    engine's, e.g. ``max_states=...`` for the explicit explorer."""
    from checker.core import engines

    progress = options.pop("progress", None)
    return engines.run(engine, protocol, properties, options, progress=progress, where=f"check(engine={engine!r})")
