"""The widgets' front end: JS unit tests (``node --test tests/js/``) and the joined ES module.

Node is needed (``scripts/test.sh`` installs it); without it these tests are skipped on a
developer's machine and fail under CI, so the JS tests never silently stop running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.widgets.views import ESM, ESM_FILES, STATIC, build_esm

ROOT = Path(__file__).resolve().parent.parent


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed: the widgets' JS unit tests cannot run (apt-get install -y nodejs)")
        pytest.skip("node is not installed")
    return node


def test_js_unit_tests_pass() -> None:
    proc = subprocess.run([_node(), "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"node --test tests/js/ failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout


def test_joined_module_loads_and_exports_render(tmp_path: Path) -> None:
    bundle = tmp_path / "widget.mjs"
    bundle.write_text(ESM, encoding="utf-8")
    script = "import(process.argv[1]).then((m) => console.log(typeof m.default.render))"
    proc = subprocess.run([_node(), "-e", script, bundle.as_uri()], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "function"


def test_joined_module_has_every_file_once_and_no_test_globals() -> None:
    for name in ESM_FILES:
        assert ESM.count(f"// ---- {name}\n") == 1
    assert "window.__nl" not in ESM and "innerHTML" not in ESM
    assert ESM.count("export default") == 1


def test_loader_refuses_imports_it_cannot_join(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('import x from "https://example.invalid/x.js";\nexport function f() {}\n')
    (tmp_path / "b.js").write_text((STATIC / "widget.js").read_text(encoding="utf-8"))
    with pytest.raises(RuntimeError, match="a.js: import/export"):
        build_esm(tmp_path, ("a.js", "b.js"))
