"""Every notebook in notebooks/ runs from top to bottom without an error."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    if path.name == "01_quickstart.ipynb":
        assert "Кабыш Омаров" in text and "Тулуза" in text and "отряд «Монгол»" in text
    if path.name == "03_explore.ipynb":
        frames = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
        assert len(frames) == 4 and all(f.startswith("<iframe srcdoc=") for f in frames)
        assert "Тулуза" in text and "Они освобождали Европу" in text
