"""Project-wide speaker names: the same person is named the same way in every outlet."""

from __future__ import annotations

from pathlib import Path

import toolkit as tk
from toolkit.nlp.speakers import CUE, canonicalize_speakers

MODEL = "model:test@1"


def _claim(proj: tk.Project, doc: tk.Document, quote: str, speaker: str, name: str) -> tk.Span:
    start = doc.text.index(quote)
    at = doc.text.index(name)
    ent = proj.add_span(doc.id, at, at + len(name), "PERSON", annotator=MODEL)
    return proj.add_span(doc.id, start, start + len(quote), "CLAIM", annotator=MODEL,
                         attrs={"kind": "quotation", "speaker": speaker, "speaker_span": ent.id, "cues": []})


def test_accent_and_initial_variants_take_the_row_name(tmp_path: Path) -> None:
    proj = tk.Project.init(tmp_path / "p", schema=tk.LabelSchema.default())
    a = tk.Document.create("a", "Wire", 'Irena Marković spoke. "We stay," Irena Marković said. Marković left.')
    b = tk.Document.create("b", "Post", '"We stay," Irena Markovic said on Friday.')
    c = tk.Document.create("c", "Daily", '"Not today," said Rui Pires. Ana Pires disagreed.')
    proj.add_documents([a, b, c])
    keep = _claim(proj, a, '"We stay,"', "Irena Marković", "Irena Marković")
    variant = _claim(proj, b, '"We stay,"', "Irena Markovic", "Irena Markovic")
    other = _claim(proj, c, '"Not today,"', "Rui Pires", "Rui Pires")
    at = c.text.index("Ana Pires")
    proj.add_span("c", at, at + len("Ana Pires"), "PERSON", annotator=MODEL)
    assert canonicalize_speakers(proj, MODEL) == 1
    spans = proj.current(MODEL).spans
    assert spans[variant.id].attrs["speaker"] == "Irena Marković"
    assert spans[variant.id].attrs["cues"][-1] == f"{CUE}: Irena Markovic -> Irena Marković"
    assert spans[keep.id].attrs["speaker"] == "Irena Marković"
    # a different person with the same surname is never renamed
    assert spans[other.id].attrs["speaker"] == "Rui Pires"
    # running it again changes nothing
    assert canonicalize_speakers(proj, MODEL) == 0
