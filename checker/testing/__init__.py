"""Testing protocols with pytest: assertions on a ``Result`` that show the counterexample when they
fail (``assert_holds``, ``assert_violated``), and a pytest plugin (``checker.testing.plugin``) that
shows it for a plain ``assert result.holds`` too and, with ``--quorum-artifacts DIR``, saves every
failing check's files as ``quorum check --out`` writes them.

Nothing here imports pytest (checker never does): the plugin's hooks are plain functions that
pytest finds by name, so ``import checker.testing`` works, and costs nothing, without pytest.
"""

from checker.testing.asserts import CheckFailed, assert_holds, assert_violated
from checker.testing.report import describe, step_table

__all__ = ["CheckFailed", "assert_holds", "assert_violated", "describe", "step_table"]
