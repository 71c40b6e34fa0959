"""The interactive explorer: a protocol's states in the browser, one step at a time.

``session`` holds the path walked so far (back, forward, undo, restart) and computes every view
from the core semantics (``checker.core.semantics.fire``) and the renderers (``checker.render``);
``server`` serves it as JSON on 127.0.0.1 with the standard library's ``http.server``, beside
the static page in ``static/``. ``quorum explore`` (``checker.cli.commands.explore``) starts it.
"""
