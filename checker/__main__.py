"""``python -m checker`` is the ``quorum`` command."""

from .cli import main

main(prog_name="quorum")
