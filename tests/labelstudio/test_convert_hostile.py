"""Label Studio data the toolkit must not trust: conversion of hostile result dicts, ids, redaction (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from label_studio_sdk.core.api_error import ApiError

import toolkit as tk
from tests.support.texts import TEXT_A
from toolkit.labelstudio.client import LabelStudioError, LSClient, redact
from toolkit.labelstudio.convert import from_ls_annotation
from toolkit.labelstudio.sync import _usable_annotations, provenance_of

SCHEMA = tk.LabelSchema.default(["Velmora"])
DOC = tk.Document.create("wire-001", "Harbour Wire", TEXT_A)
CONTROLS = {"stance_0": "Velmora"}


def _region(rid: Any = "r1", **value: Any) -> dict[str, Any]:
    word = TEXT_A.split()[0]
    v = {"start": 0, "end": len(word), "text": word, "labels": ["GPE"], **value}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": v}


def _convert(result: Any) -> Any:
    return from_ls_annotation(result, DOC, SCHEMA, "ana", 7, 40, CONTROLS, {"ls": {"task": 3, "annotation": 40}})


HOSTILE: list[tuple[str, Any, str]] = [
    ("item is a string", ["label"], "result item 0 is str"),
    ("item is a list", [[1, 2]], "result item 0 is list"),
    ("value is a list", [{"id": "r", "from_name": "label", "type": "labels", "value": [1]}], "no usable"),
    ("region text is a number", [_region(text=5)], "text is int"),
    ("region text is a list", [_region(text=["a"])], "text is list"),
    ("labels is a string", [_region(labels="GPE")], "need exactly 1 string"),
    ("labels holds a list", [_region(labels=[["GPE"]])], "need exactly 1 string"),
    ("offsets are strings", [_region(start="0", end="x")], "not integers"),
    ("offsets are huge", [_region(start=10**30, end=10**30 + 3, text=None)], "outside the document"),
    ("region id is a dict", [_region(rid={"a": 1})], "region id of type dict"),
    ("claim kind is a list of lists", [_region(labels=["CLAIM"]), {"id": "r1", "from_name": "kind", "type": "choices",
                                        "value": {"choices": [["factual"]]}}], "claim kind"),  # fmt: skip
    ("speaker is a dict", [_region(labels=["CLAIM"]), {"id": "r1", "from_name": "speaker", "type": "textarea",
                            "value": {"text": {"x": 1}}}], "speaker"),  # fmt: skip
    ("stance choice is a list", [{"id": "s", "from_name": "stance_0", "type": "choices",
                                  "value": {"choices": [["favour"]]}}], "value: expected a string"),  # fmt: skip
    ("stance value unknown", [{"id": "s", "from_name": "stance_0", "type": "choices",
                               "value": {"choices": ["thrilled"]}}], "unknown stance value"),  # fmt: skip
    ("relation ends are lists", [_region(), {"type": "relation", "from_id": ["r1"], "to_id": "r1"}], "relation"),
]


@pytest.mark.parametrize(("name", "result", "fragment"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_result_items_are_reported_with_document_and_annotation(name: str, result: Any, fragment: str) -> None:
    conv = _convert(result)
    assert conv.problems, name
    assert any(fragment in p for p in conv.problems), conv.problems
    assert all("annotation 40" in p and "\n" not in p for p in conv.problems)


def test_good_items_next_to_bad_ones_are_still_converted() -> None:
    conv = _convert(["junk", _region(rid="bad", text=3), _region(rid="good"), None])
    assert [s.id for s in conv.spans] == ["ls:7:40:good"] and len(conv.problems) == 3


def test_result_that_is_not_a_list_gives_one_problem() -> None:
    for result in ({"a": 1}, "text", 5):
        conv = _convert(result)
        assert not conv.records and len(conv.problems) == 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_item = st.fixed_dictionaries(
    {},
    optional={
        "id": _json | st.text(max_size=4),
        "from_name": st.sampled_from(["label", "kind", "speaker", "stance_0", "x"]) | _json,
        "type": st.sampled_from(["labels", "choices", "textarea", "relation"]) | _json,
        "value": _json | st.fixed_dictionaries({}, optional={k: _json for k in ("start", "end", "text", "labels", "choices")}),
        "from_id": _json,
        "to_id": _json,
        "meta": _json,
    },
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_item | _json, max_size=6))
def test_any_json_result_converts_or_is_reported_never_raises(result: list[Any]) -> None:
    conv = _convert(result)
    proj_rules = [r.to_record() for r in conv.records]  # every record made is one the store accepts
    from toolkit.validation import event_problem

    for rec in proj_rules:
        assert event_problem({"op": "put", **rec, "annotator": "ana"}, "ana") is None, rec
    provenance_of(result)  # never raises either


def test_malformed_annotations_are_named_and_skipped() -> None:
    raw = [
        {"id": 5, "completed_by": 1, "result": []},
        "not an annotation",
        {"id": "x9", "completed_by": 1, "result": []},
        {"id": 6, "completed_by": "someone", "result": []},
        {"id": 7, "completed_by": {"id": 2}, "result": {"a": 1}},
        {"id": "8", "completed_by": {"id": "3"}, "result": []},
        {"id": 9, "was_cancelled": True},
    ]
    good, bad = _usable_annotations(raw, 12)
    assert [aid for aid, _ in good] == [5, 8]
    assert len(bad) == 4 and all(p.startswith("task 12: annotation") for p in bad)
    assert any("annotation 6 has completed_by 'someone'" in p for p in bad)
    assert _usable_annotations({"x": 1}, 3)[1] == ["task 3: annotations are dict, not a list; skipped"]


def test_server_messages_never_show_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLENS_LABELSTUDIO_CONFIG", str(tmp_path / "none.toml"))
    token = "tok-5f3a9c0e1d2b4a6f"
    client = LSClient("http://127.0.0.1:9", token=token, retries=0)

    def echo() -> None:
        raise ApiError(status_code=400, body={"detail": f"bad header Authorization: Token {token} (token={token})"})

    with pytest.raises(LabelStudioError) as info:
        client.call("importing tasks", echo)
    msg = str(info.value)
    assert token not in msg and "***" in msg and "HTTP 400" in msg and "importing tasks" in msg
    assert token not in repr(client)
    assert redact(f"url?token={token}&x=1", token) == "url?token=***&x=1"
