"""Property-based tests (hypothesis): any valid record survives the store's write/read round trip."""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit as tk

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), min_size=1, max_size=80)
ATTR_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=20))
ATTRS = st.dictionaries(st.text(min_size=1, max_size=10), ATTR_VALUES, max_size=4)
ANNOTATOR = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/\\\x7f"), min_size=1, max_size=30
).filter(lambda s: s.strip() == s)


@st.composite
def span_args(draw):
    text = draw(TEXT)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=span_args(), attrs=ATTRS, annotator=ANNOTATOR, label=st.sampled_from(["PERSON", "ORG", "CLAIM"]))
def test_span_round_trip(args, attrs, annotator, label) -> None:
    text, start, end = args
    with tempfile.TemporaryDirectory() as tmp:
        proj = tk.Project.init(tmp + "/p")
        proj.add_documents([tk.Document.create("d1", "Wire", text)])
        doc_text = proj.document("d1").text
        span = proj.add_span("d1", start, end, label, annotator, attrs=attrs)
        back = tk.Project.open(tmp + "/p").current(annotator).spans[span.id]
        assert back == span
        assert back.text == doc_text[start:end]
        frame = tk.Project.open(tmp + "/p").load().spans
        assert frame.iloc[0]["attrs"] == attrs and int(frame.iloc[0]["start"]) == start


@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["stance", "delete-stance"]), st.sampled_from(["A", "B"]),
                  st.sampled_from(["favour", "against", "neutral", "none"])),
        min_size=1, max_size=15,
    )
)  # fmt: skip
def test_stance_log_replay_matches_a_dict_model(ops) -> None:
    """Replaying the append-only log gives the same state as applying the operations to a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        proj = tk.Project.init(tmp + "/p", schema=tk.LabelSchema.default(["A", "B"]))
        proj.add_documents([tk.Document.create("d1", "Wire", "some text")])
        model: dict[str, str] = {}
        for op, target, value in ops:
            if op == "stance":
                proj.set_stance("d1", target, value, "ana")
                model[target] = value
            elif target in model:
                proj.delete("stance", tk.Stance.make_id("d1", target), "ana")
                del model[target]
        state = tk.Project.open(tmp + "/p").current("ana")
        assert {s.target: s.value for s in state.stances.values()} == model


@settings(max_examples=30, deadline=None)
@given(
    doc_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    source=st.text(min_size=1, max_size=20).filter(str.strip),
    text=TEXT,
    title=st.text(max_size=20),
)
def test_document_round_trip(doc_id, source, text, title) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proj = tk.Project.init(tmp + "/p")
        doc = tk.Document.create(doc_id, source, text, title=title)
        proj.add_documents([doc])
        assert tk.Project.open(tmp + "/p").document(doc_id) == doc
