"""examples/notebook.ipynb runs top to bottom, and its results display as HTML with the chart inline.

The kernel is this interpreter (``sys.executable``), from a kernel spec written for the test alone:
no kernel has to be installed, and a ``python3`` kernel of another Python on the machine is never
picked up.
"""

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402 - after the skips
from jupyter_client.manager import KernelManager  # noqa: E402

from checker.render.dot import have_dot  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


def run_notebook(tmp_path: Path):
    spec = tmp_path / "kernels" / "quorum-venv"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Quorum's Python", "language": "python",
    }))
    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)], ensure_native_kernel=False)
    km = KernelManager(kernel_name="quorum-venv", kernel_spec_manager=specs, transport="ipc",
                       ip=str(tmp_path / "kernel"))  # unix sockets: no TCP port, no unencrypted-TCP warning
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    finally:
        if km.has_kernel:  # the client shuts down only a kernel manager it made itself
            km.shutdown_kernel(now=True)
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return run_notebook(tmp_path_factory.mktemp("nb"))


def html_outputs(cell) -> list[str]:
    return [o["data"]["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})]


def test_every_cell_runs_without_an_error(executed):
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors


def test_results_display_as_html_with_verdict_steps_and_chart(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    holds, buggy = html_outputs(code[0]), html_outputs(code[1])
    assert holds and "holds: agreement, validity, value_chosen" in holds[0]
    assert buggy and "violated: agreement after 12 steps" in buggy[0]
    assert "Why it failed" in buggy[0] and "agreement is false in the last state" in buggy[0]
    assert "phase2a(b=1, v=v2)" in buggy[0]  # a row of the step table
    if have_dot():
        assert "<svg" in buggy[0]
    else:
        assert "graphviz" in buggy[0]


def test_the_invariant_holds_and_catches_the_variant(executed):
    html = "\n".join(h for c in executed.cells for h in html_outputs(c))
    assert "holds: proposals_are_safe" in html
    assert "violated: proposals_are_safe after 9 steps" in html
    assert "violated: agreement after" in html  # the reader's own bug (EagerAcceptors)


def test_the_plain_repr_is_one_short_line(executed):
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    first = text.splitlines()[0]
    assert first.startswith("<Result violated: agreement after 12 steps") and len(first) < 200
