"""``python -m checker`` is the ``quorum`` command."""

from checker.cli.main import entry

entry()
