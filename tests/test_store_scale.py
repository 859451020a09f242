"""The store at corpus scale: portable locking, batched imports, lean loading."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

NO_FCNTL = textwrap.dedent(
    """
    import json, sys
    sys.modules["fcntl"] = None  # what Windows looks like to `import fcntl`: ImportError
    import toolkit as tk
    from toolkit.store import files
    assert files.fcntl is None
    proj = tk.Project.init(sys.argv[1], schema=tk.LabelSchema.default(["Velmora"]))
    proj.add_documents([tk.Document.create("d1", "Wire", "Velmora and Ostrand met.")])
    span = proj.add_span("d1", 0, 7, "GPE", annotator="ana")
    proj.set_stance("d1", "Velmora", "favour", "ana")
    frames = tk.Project.open(sys.argv[1]).load()
    print(json.dumps({"span": span.id, "ids": list(frames.spans["id"]), "texts": list(frames.spans["text"]),
                      "values": list(frames.stances["value"]), "problems": len(frames.problems)}))
    """
)


def test_import_toolkit_and_store_round_trip_without_fcntl(tmp_path: Path, env_with_repo: dict[str, str]) -> None:
    res = subprocess.run(
        [sys.executable, "-c", NO_FCNTL, str(tmp_path / "proj")], capture_output=True, text=True, env=env_with_repo,
        timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["ids"] == [out["span"]] and out["texts"] == ["Velmora"]
    assert out["values"] == ["favour"] and out["problems"] == 0
    assert not list((tmp_path / "proj").rglob("*.tmp"))  # temporary files renamed, none left behind
