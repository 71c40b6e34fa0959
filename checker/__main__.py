"""``python -m checker`` is the ``quorum`` command."""

from .cli import entry

entry()
