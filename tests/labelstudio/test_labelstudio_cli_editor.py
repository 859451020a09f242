"""`toolkit ls` end to end, and what Label Studio's own editor stores for a region after an emoji."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import toolkit as tk
from tests.support.browser import launch_browser
from tests.support.labelstudio_server import LabelStudioServer
from toolkit.labelstudio.client import LSClient
from toolkit.labelstudio.sync import SyncState, pull, push

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow, pytest.mark.browser]


def _toolkit(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_cli_push_pull_status_and_wrong_token(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    proj_dir = tmp_path / "cli"
    env = {
        **os.environ,
        "LABEL_STUDIO_API_KEY": ls_server.token,
        "NEWSLENS_LABELSTUDIO_CONFIG": str(tmp_path / "none.toml"),
    }
    r = _toolkit(["--project", str(proj_dir), "init", "--demo"], env)
    assert r.returncode == 0, r.stderr
    r = _toolkit(["--project", str(proj_dir), "ls", "sync", "--url", ls_server.url], env)
    assert r.returncode == 0, r.stderr
    assert "4 new tasks" in r.stdout and "pulled 0 annotations" in r.stdout
    r = _toolkit(["--project", str(proj_dir), "ls", "push", "--url", ls_server.url], env)
    assert r.returncode == 0 and "0 new tasks" in r.stdout and "4 already there" in r.stdout
    r = _toolkit(["--project", str(proj_dir), "ls", "status", "--json", "--url", ls_server.url], env)
    info = json.loads(r.stdout)
    assert info["pushed"] == 4 and info["server"]["tasks"] == 4 and info["not_pushed"] == []
    bad = {**env, "LABEL_STUDIO_API_KEY": "f" * 40}
    r = _toolkit(["--project", str(proj_dir), "ls", "pull", "--url", ls_server.url], bad)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "rejected the API token" in r.stderr and "f" * 40 not in r.stderr
    # token from the user config file instead of the environment
    conf = tmp_path / "labelstudio.toml"
    conf.write_text(f'[servers."{ls_server.url}"]\ntoken = "{ls_server.token}"\n')
    cfg_env = {k: v for k, v in env.items() if k != "LABEL_STUDIO_API_KEY"} | {"NEWSLENS_LABELSTUDIO_CONFIG": str(conf)}
    r = _toolkit(["--project", str(proj_dir), "ls", "pull", "--url", ls_server.url], cfg_env)
    assert r.returncode == 0, r.stderr
    assert ls_server.token not in (proj_dir / "labelstudio.json").read_text()


JS_RANGE = """([needle]) => {
  const node = document.querySelector('.lsf-richtext__line').firstChild;
  const s = node.data.indexOf(needle);
  const range = document.createRange(); range.setStart(node, s); range.setEnd(node, s + needle.length);
  const rects = range.getClientRects(); const a = rects[0], b = rects[rects.length - 1];
  return {x1: a.left + 1, y: (a.top + a.bottom) / 2, x2: b.right - 1, utf16_start: s};
}"""


def test_editor_stores_code_points_after_astral_characters(tmp_path: Path, ls_server: LabelStudioServer) -> None:
    """Select text with the mouse in Label Studio's editor (headless Chromium) and look at the offsets."""
    text = "😀😀 Alice met 𝒳 Bob today."
    proj = tk.Project.init(tmp_path / "ed", schema=tk.LabelSchema.default())
    proj.add_documents([tk.Document.create("ed-1", "W", text)])
    client = LSClient(ls_server.url, token=ls_server.token)
    res = push(proj, client, progress=False)
    task_id = SyncState(proj, client.url).server["tasks"]["ed-1"]["task"]
    seen: dict[str, Any] = {}
    with launch_browser(viewport={"width": 1300, "height": 900}) as ctx:
        page = ctx.new_page()
        page.goto(ls_server.url + "/user/login/")
        page.fill("input[name=email]", ls_server.email)
        page.fill("input[name=password]", ls_server.password)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{ls_server.url}/projects/{res.project_id}/data?task={task_id}")
        page.wait_for_selector(".lsf-richtext__line", timeout=60_000)
        for needle, label in (("Bob", "PERSON"), ("𝒳", "ORG")):
            box = page.evaluate(JS_RANGE, [needle])
            seen[needle] = box["utf16_start"]
            page.locator(".lsf-label", has_text=label).first.click()
            page.mouse.move(box["x1"], box["y"])
            page.mouse.down()
            page.mouse.move(box["x2"], box["y"], steps=5)
            page.mouse.up()
            page.wait_for_timeout(300)
        page.click("button:has-text('Submit')")
        page.wait_for_timeout(1500)
    # the browser counts UTF-16 units: "Bob" starts at 18 there, at 15 in Python
    assert seen["Bob"] == 18 and text.index("Bob") == 15
    task = client.sdk.tasks.get(id=str(task_id))
    values = {r["value"]["text"]: r["value"] for a in task.annotations for r in a["result"]}
    # Label Studio 1.23 stores code points for editor regions (no conversion needed on pull)
    assert (values["Bob"]["start"], values["Bob"]["end"]) == (15, 18)
    assert (values["𝒳"]["start"], values["𝒳"]["end"]) == (13, 14)
    out = pull(proj, client, progress=False)
    assert out.realigned == [] and out.problems == []
    spans = sorted(proj.current("admin").spans.values(), key=lambda s: s.start)
    assert [(s.text, s.label, s.start) for s in spans] == [("𝒳", "ORG", 13), ("Bob", "PERSON", 15)]
