"""Results in Jupyter: a ``Result`` displays as HTML — the verdict, why it failed, the counterexample's
step table and its message sequence chart inline as SVG.

Why this room, and why the facade installs it: ``Result`` lives in ``checker.core``, and core may
not import ``checker.render`` (the chart, the explanation), not even inside a function. So core only
defines ``Result._repr_html_``, which calls the renderer registered in
``checker.core.result.html_renderers`` (none registered: Jupyter shows the short ``repr``). This
room, which may import render, supplies that renderer, and ``install()`` registers it. The facade
(``checker/__init__.py``) calls ``install()``: Python runs the facade before any ``checker.*``
module, so every ``Result`` displays as HTML whichever module made it, with no set-up cell in the
notebook. Importing this room is cheap (render, graphviz and networkx load at the first display,
and never for ``import checker``).
"""

from checker.notebook.html import install, result_html

__all__ = ["install", "result_html"]
