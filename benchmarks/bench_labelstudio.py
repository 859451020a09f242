"""Benchmark: push 2,000 tasks to and pull 2,000 annotations from a local Label Studio server.

Run: ``.venv/bin/python benchmarks/bench_labelstudio.py [--n 2000]``.  Starts its own
server (installing Label Studio into ``.venv-labelstudio`` if needed).  Baseline in the
same run: the same number of tasks imported and listed with the bare SDK in one call
each, i.e. the cost of the server itself; the ratio shows the toolkit's overhead
(hash keys, duplicate check, batching, offset checks, store writes).  Annotations: 2,000
made with the bare SDK (one request each) vs the toolkit's ``push --annotations``
(also one request each: Label Studio has no bulk endpoint for annotations on existing
tasks); re-pull incremental vs ``--full``.
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
        # one request each: the baseline for the toolkit's own annotation push below
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

        # the toolkit's annotations (2 spans + a stance per document, annotator "ana") pushed as annotations
        target = proj.schema.stance_targets[0]
        for did in tasks:
            text = proj.document(did).text
            bo = text.index("Bo Lind")
            proj.put([proj.make_span(did, 0, 7, "PERSON", "ana"), proj.make_span(did, bo, bo + 7, "PERSON", "ana")])
        for did in tasks:
            proj.set_stance(did, target, "neutral", annotator="ana")
        t = time.perf_counter()
        ann_push = push(proj, client, progress=False, annotations=True)
        t_ann_push = time.perf_counter() - t
        t = time.perf_counter()
        ann_again = push(proj, client, progress=False, annotations=True)
        t_ann_again = time.perf_counter() - t
        assert ann_push.annotations_created == n and ann_again.annotations_unchanged == n

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
        t = time.perf_counter()
        out3 = pull(proj, client, progress=False, full=True)
        t_repull_full = time.perf_counter() - t
        # 2n annotations on the server: n made through the API (2 regions each, one realigned), n pushed by the
        # toolkit (recognised as ana's own: nothing written for them)
        assert out.annotations == 2 * n and out.put == 2 * n and len(out.realigned) == n
        assert out2.incremental and out2.put == 0 and out3.put == 0 and not out3.incremental
        assert proj.load().problems.empty

        print(f"Label Studio {server.url}, {n} documents of ~{len(make_text(1))} characters")
        print(f"baseline bare SDK import of {n} tasks:      {t_base_push:7.2f} s")
        print(
            f"toolkit push ({res.batches} batches):              {t_push:7.2f} s  ({n / t_push:7.0f} tasks/s, "
            f"{t_push / t_base_push:.2f}x baseline)"
        )
        print(f"toolkit push again (0 new tasks):           {t_repush:7.2f} s")
        print(f"creating {n} annotations via the API:      {t_annotate:7.2f} s  (bare SDK, one request each)")
        print(
            f"toolkit push --annotations ({n} created):   {t_ann_push:7.2f} s  ({n / t_ann_push:7.0f} annotations/s, "
            f"{t_ann_push / t_annotate:.2f}x bare SDK)"
        )
        print(f"toolkit push --annotations again (0 sent): {t_ann_again:7.2f} s")
        print(f"baseline bare listing of tasks+annotations: {t_base_list / 2:7.2f} s")
        print(
            f"toolkit pull ({out.annotations} annotations, {out.put} records, {len(out.realigned)} realigned): "
            f"{t_pull:7.2f} s  ({out.annotations / t_pull:7.0f} annotations/s, {t_pull / (t_base_list / 2):.2f}x baseline)"
        )
        print(f"toolkit pull again, incremental (nothing changed): {t_repull:7.2f} s")
        print(f"toolkit pull again, --full (nothing changed):      {t_repull_full:7.2f} s")


if __name__ == "__main__":
    main()
