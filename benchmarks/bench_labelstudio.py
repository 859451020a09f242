"""Benchmark: push 2,000 tasks to and pull 2,000 annotations from a local Label Studio server.

Run: ``.venv/bin/python benchmarks/bench_labelstudio.py [--n 2000]``.  Starts its own
server (installing Label Studio into ``.venv-labelstudio`` if needed).  Baseline in the
same run: the same number of tasks imported and listed with the bare SDK in one call
each, i.e. the cost of the server itself; the ratio shows the toolkit's overhead
(hash keys, duplicate check, batching, offset checks, store writes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import toolkit as tk  # noqa: E402
from tests.support.labelstudio_server import LabelStudioServer  # noqa: E402
from toolkit.labelstudio.client import LSClient  # noqa: E402
from toolkit.labelstudio.config import label_config  # noqa: E402
from toolkit.labelstudio.sync import SyncState, pull, push  # noqa: E402

WORDS = "harbour council minister river dam talks water valley report said would agreed".split()


def make_text(i: int) -> str:
    body = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(60))
    return f"Anna Ek {i} 😀 met Bo Lind in Tarn. {body}."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp, LabelStudioServer.temporary() as server:
        client = LSClient(server.url, token=server.token)
        proj = tk.Project.init(Path(tmp) / "bench", schema=tk.LabelSchema.default(["the dam"]))
        proj.add_documents([tk.Document.create(f"doc-{i:05d}", "Bench Wire", make_text(i)) for i in range(n)])

        # baseline: one bare SDK import of the same task data, one bare listing
        base = client.sdk.projects.create(title="baseline", label_config=label_config(proj.schema))
        data = [{"text": d.text, "doc_id": d.id} for d in proj.documents().values()]
        t = time.perf_counter()
        client.sdk.projects.import_tasks(id=base.id, request=data)
        t_base_push = time.perf_counter() - t

        t = time.perf_counter()
        res = push(proj, client, progress=False)
        t_push = time.perf_counter() - t
        t = time.perf_counter()
        again = push(proj, client, progress=False)
        t_repush = time.perf_counter() - t
        assert len(res.created) == n and not again.created

        # 2,000 annotations (two regions each, one of them counted in UTF-16 units), made through the API
        tasks = SyncState(proj, client.url).server["tasks"]
        t = time.perf_counter()
        for did, info in tasks.items():
            text = proj.document(did).text
            bo = text.index("Bo Lind")
            result = [
                {"id": "a", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": 0, "end": 7, "text": "Anna Ek", "labels": ["PERSON"]}},
                {"id": "b", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": bo + 1, "end": bo + 8, "text": "Bo Lind", "labels": ["PERSON"]}},
            ]  # fmt: skip
            client.sdk.annotations.create(id=info["task"], result=result)
        t_annotate = time.perf_counter() - t

        t = time.perf_counter()
        for _page in client.iter_task_pages(base.id, fields="all"):
            pass
        for _page in client.iter_task_pages(res.project_id, fields="all"):
            pass
        t_base_list = time.perf_counter() - t
        t = time.perf_counter()
        out = pull(proj, client, progress=False)
        t_pull = time.perf_counter() - t
        t = time.perf_counter()
        out2 = pull(proj, client, progress=False)
        t_repull = time.perf_counter() - t
        assert out.annotations == n and out.put == 2 * n and len(out.realigned) == n and out2.put == 0
        assert proj.load().problems.empty

        print(f"Label Studio {server.url}, {n} documents of ~{len(make_text(1))} characters")
        print(f"baseline bare SDK import of {n} tasks:      {t_base_push:7.2f} s")
        print(
            f"toolkit push ({res.batches} batches):              {t_push:7.2f} s  ({n / t_push:7.0f} tasks/s, "
            f"{t_push / t_base_push:.2f}x baseline)"
        )
        print(f"toolkit push again (0 new tasks):           {t_repush:7.2f} s")
        print(f"creating {n} annotations via the API:      {t_annotate:7.2f} s  (test setup, one request each)")
        print(f"baseline bare listing of tasks+annotations: {t_base_list / 2:7.2f} s")
        print(
            f"toolkit pull ({out.annotations} annotations, {out.put} records, {len(out.realigned)} realigned): "
            f"{t_pull:7.2f} s  ({out.annotations / t_pull:7.0f} annotations/s, {t_pull / (t_base_list / 2):.2f}x baseline)"
        )
        print(f"toolkit pull again (nothing changed):      {t_repull:7.2f} s")


if __name__ == "__main__":
    main()
