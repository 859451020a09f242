"""Framing: how each outlet tells the same story.

Pure functions from the project's frames to long-format DataFrames (one row per observation,
ready for ``to_csv``), linear in the data:

* :func:`voices` -- who each outlet quotes, how often and with how many quoted words;
  :func:`voice_presence` -- whether a person quoted somewhere is quoted, only mentioned, or
  absent in each outlet.
* :func:`attribution_verbs` / :func:`verb_table` / :func:`shared_quote_verbs` -- the reporting
  verb attached to each quotation ("said", "claimed", "admitted"), its class (see
  :data:`VERB_CLASSES` and ``docs/framing.md``) and, for a quotation two outlets share, both
  verbs side by side.
* :func:`distinctive_words` -- per outlet, the words and two-word phrases it uses more than the
  others: the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi
  and Quinn (2008), "Fightin' Words", computed by :func:`log_odds_dirichlet`, on lemmas
  (:mod:`toolkit.compare.lemmas`) without stop words.
* :func:`emphasis` -- what each outlet puts in its headline and first paragraph, and which
  outlets leave out an entity, claim cluster or quotation most outlets carry.

What each outlet calls the same entity (appositions, titles, adjectives) is in
:mod:`toolkit.compare.descriptors`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "CORPUS_LEMMAS",
    "STOP_WORDS",
    "VERB_CLASSES",
    "attribution_verbs",
    "body_quotations",
    "distinctive_words",
    "document_parts",
    "emphasis",
    "log_odds_dirichlet",
    "shared_quote_verbs",
    "term_counts",
    "verb_table",
    "voice_presence",
    "voices",
]

# --------------------------------------------------------------------------- reporting verbs

#: Reporting verbs by class: how the outlet presents the speaker's words.
#:
#: * ``neutral`` -- reports that something was said, no judgement (said, told, added);
#: * ``assertive`` -- the speaker is firm or emphatic (insisted, stressed, vowed, warned);
#: * ``doubting`` -- the outlet keeps its distance from the words (claimed, alleged);
#: * ``conceding`` -- the speaker gives ground (admitted, conceded, acknowledged);
#: * ``confrontational`` -- the speaker attacks or refuses (accused, denied, dismissed);
#: * ``predictive`` -- about the future (predicted, forecast, expected).
VERB_CLASSES: dict[str, tuple[str, ...]] = {
    "neutral": ("say", "tell", "add", "state", "note", "explain", "report", "write", "comment", "reply",
                "respond", "announce", "describe", "continue", "ask", "recall", "remark", "observe"),
    "assertive": ("insist", "stress", "emphasise", "emphasize", "declare", "assert", "maintain", "vow",
                  "pledge", "promise", "warn", "argue", "urge", "demand", "affirm", "boast"),
    "doubting": ("claim", "allege", "contend", "purport", "suggest"),
    "conceding": ("admit", "concede", "acknowledge", "confess", "grant"),
    "confrontational": ("accuse", "deny", "dismiss", "reject", "criticise", "criticize", "complain",
                        "attack", "blame", "condemn", "threaten", "mock", "scoff"),
    "predictive": ("predict", "forecast", "expect", "estimate"),
}
_CLASS_OF = {lemma: cls for cls, lemmas in VERB_CLASSES.items() for lemma in lemmas}
_IRREGULAR = {"said": "say", "says": "say", "saying": "say", "told": "tell", "tells": "tell",
              "telling": "tell", "wrote": "write", "written": "write", "writes": "write", "forecast": "forecast",
              "forecasts": "forecast", "forecasting": "forecast", "froze": "freeze"}


def _verb_lemma(word: str) -> str | None:
    """Lemma of a reporting-verb form ("insisted" -> "insist"), or None if it is not one."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w] if _IRREGULAR[w] in _CLASS_OF else None
    if w in _CLASS_OF:
        return w
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                         ("d", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and w[: -len(suffix)] + repl in _CLASS_OF:
            return w[: -len(suffix)] + repl
    for suffix in ("ed", "ing"):  # doubled final consonant: "admitted", "admitting"
        stem = w[: -len(suffix) - 1]
        if w.endswith(suffix) and len(stem) > 2 and w[-len(suffix) - 1] == stem[-1] and stem in _CLASS_OF:
            return stem
    return None


_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")


def _find_verb(text: str, start: int, end: int, window: int = 90) -> tuple[str, str] | None:
    """(form, lemma) of the reporting verb attributing the quotation ``text[start:end]``.

    Looks first after the quotation, in the same sentence ('"...," she insisted'), then before
    it ('He insisted: "..."', 'She claimed that "..."').
    """
    after = text[end : end + window]
    stop = _SENTENCE_END.search(after)
    after = after[: stop.start() + 1] if stop else after
    # '"We were late." "It works," claimed the firm': the quotation closed its own sentence and
    # what follows starts a new one; '"Why?" she asked' goes on in lower case.
    if text[max(start, end - 3) : end].rstrip("\"'”’ ")[-1:] in (".", "!", "?"):
        nxt = after.lstrip()[:1]
        if not nxt.islower():
            after = ""
    for m in _WORD.finditer(after):
        lemma = _verb_lemma(m.group())
        if lemma:
            return m.group(), lemma
    before = text[max(0, start - window) : start]
    cut = max(before.rfind(". "), before.rfind("\n"), before.rfind("? "), before.rfind("! "))
    before = before[cut + 1 :] if cut >= 0 else before
    for m in reversed(list(_WORD.finditer(before))):
        lemma = _verb_lemma(m.group())
        if lemma:
            return m.group(), lemma
    return None


def body_quotations(quotes: pd.DataFrame) -> pd.DataFrame:
    """Quotations that count as someone's words: scare quotes and headline versions of a body
    quotation (columns ``scare`` / ``headline_of`` of :func:`document_quotations`) left out."""
    if quotes.empty:
        return quotes
    keep = pd.Series(True, index=quotes.index)
    if "scare" in quotes.columns:
        keep &= ~quotes["scare"].fillna(False).astype(bool)
    if "headline_of" in quotes.columns:
        keep &= ~quotes["headline_of"].fillna("").astype(str).astype(bool)
    return quotes[keep]


def attribution_verbs(documents: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """The reporting verb of every quotation.

    ``quotes`` is :func:`toolkit.compare.quotes.document_quotations`'s frame.  Returns
    ``quote_id, doc_id, source, speaker, verb`` (lemma, "" when none is found), ``verb_form``
    (as written) and ``verb_class`` (see :data:`VERB_CLASSES`; "" when no verb).
    """
    cols = ["quote_id", "doc_id", "source", "speaker", "verb", "verb_form", "verb_class"]
    quotes = body_quotations(quotes)
    if quotes.empty:
        return pd.DataFrame(columns=cols)
    texts = dict(zip(documents["doc_id"], documents["text"], strict=False))
    rows = []
    for q in quotes.itertuples(index=False):
        found = _find_verb(texts.get(q.doc_id, ""), int(q.start), int(q.end))
        form, lemma = found if found else ("", "")
        rows.append((q.quote_id, q.doc_id, q.source, q.speaker or "", lemma, form, _CLASS_OF.get(lemma, "")))
    return pd.DataFrame(rows, columns=cols)


def verb_table(verbs: pd.DataFrame) -> pd.DataFrame:
    """``source, speaker, verb, verb_class, count``: how often each outlet uses each verb for each speaker."""
    cols = ["source", "speaker", "verb", "verb_class", "count"]
    found = verbs[verbs["verb"] != ""] if not verbs.empty else verbs
    if found.empty:
        return pd.DataFrame(columns=cols)
    out = found.groupby(["source", "speaker", "verb", "verb_class"]).size().reset_index(name="count")
    return out.sort_values(["source", "count", "speaker", "verb"], ascending=[True, False, True, True],
                           ignore_index=True)[cols]


def shared_quote_verbs(matches: pd.DataFrame, verbs: pd.DataFrame) -> pd.DataFrame:
    """For each quotation pair two outlets share: both verbs side by side.

    ``matches`` is :func:`toolkit.compare.quotes.match_quotations`'s frame.  Returns ``text_a,
    source_a, speaker_a, verb_a, class_a, source_b, verb_b, class_b, same_class``.
    """
    cols = ["text_a", "source_a", "speaker_a", "verb_a", "class_a", "source_b", "verb_b", "class_b", "same_class"]
    if matches.empty or verbs.empty:
        return pd.DataFrame(columns=cols)
    by_id = verbs.set_index("quote_id")
    va, vb = by_id.reindex(matches["quote_a"]), by_id.reindex(matches["quote_b"])
    out = pd.DataFrame({
        "text_a": matches["text_a"].to_numpy(), "source_a": matches["source_a"].to_numpy(),
        "speaker_a": matches["speaker_a"].to_numpy(), "verb_a": va["verb"].fillna("").to_numpy(),
        "class_a": va["verb_class"].fillna("").to_numpy(), "source_b": matches["source_b"].to_numpy(),
        "verb_b": vb["verb"].fillna("").to_numpy(), "class_b": vb["verb_class"].fillna("").to_numpy(),
    })  # fmt: skip
    out["same_class"] = out["class_a"] == out["class_b"]
    return out[cols]


# --------------------------------------------------------------------------- voices


def voices(quotes: pd.DataFrame, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who each outlet quotes: ``source, speaker, quotations, quoted_words, share, indirect``.

    ``share`` is the speaker's part of all the words the outlet quotes (0..1).  ``indirect``
    counts the speaker's claims that are not direct quotations (``claims``:
    :func:`toolkit.compare.claims.claim_clusters`' frame, optional).  Unattributed quotations
    appear as speaker "(unattributed)".
    """
    cols = ["source", "speaker", "quotations", "quoted_words", "share", "indirect"]
    frames = []
    quotes = body_quotations(quotes)
    if not quotes.empty:
        q = quotes.assign(speaker=quotes["speaker"].fillna("").replace("", "(unattributed)"))
        direct = q.groupby(["source", "speaker"]).agg(quotations=("quote_id", "size"),
                                                       quoted_words=("n_words", "sum")).reset_index()
        frames.append(direct)
    if claims is not None and not claims.empty:
        c = claims.drop_duplicates(["doc_id", "start", "end"])
        c = c[(c["kind"] != "quotation") & c["speaker"].fillna("").astype(bool)]
        if not c.empty:
            frames.append(c.groupby(["source", "speaker"]).size().reset_index(name="indirect"))
    if not frames:
        return pd.DataFrame(columns=cols)
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=["source", "speaker"], how="outer")
    for col in ("quotations", "quoted_words", "indirect"):
        out[col] = out[col].fillna(0).astype(int) if col in out else 0
    total = out.groupby("source")["quoted_words"].transform("sum")
    out["share"] = (out["quoted_words"] / total.where(total > 0)).fillna(0.0).round(4)
    return out.sort_values(["source", "quoted_words", "quotations", "speaker"], ascending=[True, False, False, True],
                           ignore_index=True)[cols]


def voice_presence(quotes: pd.DataFrame, mentions: pd.DataFrame, sources: Iterable[str] | None = None,
                   canonical: Callable[[str], str] | None = None) -> pd.DataFrame:
    """For every person quoted anywhere: in each outlet, ``quoted``, ``mentioned`` only, or ``absent``.

    ``mentions`` is :func:`toolkit.compare.entities.entity_mentions`' frame; ``canonical``
    maps a speaker name to its entity row name (default: as is).  Returns a speaker x source
    frame of those three words, speakers quoted by most outlets first.
    """
    if quotes.empty:
        return pd.DataFrame()
    canon = canonical or (lambda s: s)
    q = quotes[quotes["speaker"].fillna("").astype(bool)]
    quoted = {(canon(s), src) for s, src in zip(q["speaker"], q["source"], strict=False)}
    mentioned = set(zip(mentions["entity"], mentions["source"], strict=False)) if not mentions.empty else set()
    srcs = sorted(set(sources) if sources is not None else set(quotes["source"]))
    speakers = sorted({s for s, _ in quoted})
    data = {
        src: ["quoted" if (s, src) in quoted else "mentioned" if (s, src) in mentioned else "absent"
              for s in speakers]
        for src in srcs
    }  # fmt: skip
    out = pd.DataFrame(data, index=pd.Index(speakers, name="speaker"))
    order = (out == "quoted").sum(axis=1).sort_values(ascending=False, kind="stable").index
    return out.loc[order]


# --------------------------------------------------------------------------- distinctive words

#: Function words left out of distinctive wording (our own list: articles, pronouns,
#: auxiliaries, prepositions, conjunctions, and the reporting verb "say").
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said say says saying told mr mrs ms dr per cent percent one two three also its it's s t don't won't
""".split())

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def term_counts(texts: Iterable[tuple[str, str]], lemmatize: Callable[[str], str] | None = None,
                stop_words: frozenset[str] = STOP_WORDS, bigrams: bool = True) -> pd.DataFrame:
    """Counts of words (lemmas when ``lemmatize`` is given) and two-word phrases per group.

    ``texts``: ``(group, text)`` pairs.  Stop words are dropped (before and after lemmatising);
    a phrase is two consecutive remaining words of one sentence.  Returns a term x group count frame.
    """
    counts: dict[str, Counter[str]] = {}
    lemma_cache: dict[str, str] = {}
    for group, text in texts:
        c = counts.setdefault(group, Counter())
        for sentence in re.split(r"[.!?;:\n]+", text):
            words: list[str | None] = []
            for tok in _TOKEN.findall(sentence.lower().replace("’", "'")):
                if tok in stop_words or len(tok) < 2:
                    words.append(None)
                    continue
                if lemmatize is not None:
                    if tok not in lemma_cache:
                        lemma_cache[tok] = lemmatize(tok)
                    tok = lemma_cache[tok]
                    if tok in stop_words:  # "others" -> "other"
                        words.append(None)
                        continue
                words.append(tok)
            c.update(w for w in words if w)
            if bigrams:
                c.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a and b)
    frame = pd.DataFrame(counts).fillna(0).astype(np.int64)
    frame.index.name = "term"
    return frame


def log_odds_dirichlet(y_i: np.ndarray, y_j: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For every word ``w``, with counts ``y_i`` in one group, ``y_j`` in the other and prior
    pseudo-counts ``alpha`` (``alpha_0 = sum(alpha)``; ``n_i, n_j`` the group totals)::

        delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
        var_w  ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
        z_w     = delta_w / sqrt(var_w)

    Returns ``(delta, z)``.  Positive values: the word is more typical of group ``i``.
    """
    y_i, y_j, alpha = (np.asarray(a, dtype=float) for a in (y_i, y_j, alpha))
    a0, n_i, n_j = alpha.sum(), y_i.sum(), y_j.sum()
    delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log((y_j + alpha) / (n_j + a0 - y_j - alpha))
    var = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
    return delta, delta / np.sqrt(var)


#: ``distinctive_words(lemmatize=CORPUS_LEMMAS)`` (the default): lemmas from
#: :class:`toolkit.compare.lemmas.Lemmatizer`, each confirmed by the corpus' own vocabulary.
CORPUS_LEMMAS = "corpus"


def distinctive_words(documents: pd.DataFrame, top: int = 15, min_count: int = 3,
                      lemmatize: Callable[[str], str] | str | None = CORPUS_LEMMAS,
                      prior_scale: float | None = None, group: str = "source") -> pd.DataFrame:
    """Per outlet, the terms it uses more than the other outlets ("Fightin' Words").

    Each outlet is compared with all other outlets together; the prior is the whole corpus'
    term frequencies scaled to ``prior_scale`` pseudo-counts (default: the corpus' own counts,
    i.e. ``alpha_w = y_w``).  Terms seen fewer than ``min_count`` times in the corpus are left
    out.  Words are counted as lemmas without stop words: ``lemmatize`` is ``"corpus"`` (the
    default: :class:`~toolkit.compare.lemmas.Lemmatizer` with the corpus' vocabulary, so "talks"
    and "talked" count as "talk" when the corpus has "talk"), any ``word -> lemma`` callable, or
    None for the words as written.  Returns ``source, term, count, log_odds, z``: the ``top``
    terms per outlet by z.
    """
    cols = [group, "term", "count", "log_odds", "z"]
    if documents.empty:
        return pd.DataFrame(columns=cols)
    if isinstance(lemmatize, str):
        if lemmatize != CORPUS_LEMMAS:
            raise ValueError(f"lemmatize: expected {CORPUS_LEMMAS!r}, a callable or None, got {lemmatize!r}")
        from toolkit.compare.lemmas import Lemmatizer

        lemmatize = Lemmatizer.from_texts(documents["text"])
    counts = term_counts(zip(documents[group], documents["text"], strict=False), lemmatize=lemmatize)
    total = counts.sum(axis=1)
    counts = counts[total >= min_count]
    if counts.empty or counts.shape[1] < 2:
        return pd.DataFrame(columns=cols)
    total = counts.sum(axis=1).to_numpy(dtype=float)
    alpha = total if prior_scale is None else total / total.sum() * prior_scale
    rows = []
    for g in counts.columns:
        y_i = counts[g].to_numpy(dtype=float)
        delta, z = log_odds_dirichlet(y_i, total - y_i, alpha)
        best = np.argsort(-z, kind="stable")[:top]
        rows.append(pd.DataFrame({group: g, "term": counts.index[best], "count": y_i[best].astype(int),
                                  "log_odds": delta[best].round(4), "z": z[best].round(3)}))
    return pd.concat(rows, ignore_index=True)[cols]


# --------------------------------------------------------------------------- emphasis


def document_parts(text: str, title: str = "") -> tuple[tuple[int, int], tuple[int, int]]:
    """Character ranges of the headline and the lead (first paragraph after the headline).

    The headline is the first line when it is the document's title (or, without a title, when
    it looks like one: short and without a final full stop); otherwise it is empty.
    """
    from toolkit.importers import looks_like_headline

    first_nl = text.find("\n")
    first = text[: first_nl if first_nl >= 0 else len(text)]
    looks = first.strip() and (first.strip() == title.strip() if title else looks_like_headline(first))
    head = (0, len(first)) if looks else (0, 0)
    pos = head[1]
    for m in re.finditer(r"[^\n]+", text[pos:]):
        if m.group().strip():
            return head, (pos + m.start(), pos + m.end())
    return head, (pos, pos)


def emphasis(documents: pd.DataFrame, mentions: pd.DataFrame | None = None, clusters: pd.DataFrame | None = None,
             quotes: pd.DataFrame | None = None, groups: Mapping[str, str] | None = None,
             min_share: float = 0.5) -> pd.DataFrame:
    """What each outlet puts first, and what it leaves out.

    Items are entities (``mentions``: :func:`~toolkit.compare.entities.entity_mentions`), claim
    clusters (``clusters``: :func:`~toolkit.compare.claims.claim_clusters`) and quotations
    (``quotes`` with ``groups``: quote id -> shared group, e.g. from
    :func:`~toolkit.compare.quotes.shared_quotations`; ungrouped quotations are their own item).

    Returns one row per (outlet, item) the outlet carries: ``source, item, kind, in_headline,
    in_lead, first_rank`` (order of first appearance within the outlet's articles, 1 = first)
    and ``omitted_by`` (the outlets that never carry an item that at least ``min_share`` of
    the outlets carry, comma-separated; "" otherwise).
    """
    cols = ["source", "item", "kind", "in_headline", "in_lead", "first_rank", "omitted_by"]
    if documents.empty:
        return pd.DataFrame(columns=cols)
    parts = {d: document_parts(t, ti) for d, t, ti in
             zip(documents["doc_id"], documents["text"], documents.get("title", [""] * len(documents)), strict=False)}
    sources = sorted(documents["source"].unique())
    occ: list[pd.DataFrame] = []
    if mentions is not None and not mentions.empty:
        occ.append(pd.DataFrame({"doc_id": mentions["doc_id"], "source": mentions["source"], "item": mentions["entity"],
                                 "kind": "entity", "start": mentions["start"]}))
    if clusters is not None and not clusters.empty:
        c = clusters.drop_duplicates(["cluster", "doc_id", "start"])
        occ.append(pd.DataFrame({"doc_id": c["doc_id"], "source": c["source"], "item": c["cluster"],
                                 "kind": "claim", "start": c["start"]}))
    if quotes is not None and not quotes.empty:
        quotes = body_quotations(quotes)
        g = groups or {}
        occ.append(pd.DataFrame({"doc_id": quotes["doc_id"], "source": quotes["source"],
                                 "item": [g.get(q, q) for q in quotes["quote_id"]], "kind": "quotation",
                                 "start": quotes["start"]}))
    if not occ:
        return pd.DataFrame(columns=cols)
    o = pd.concat(occ, ignore_index=True)
    head = o["doc_id"].map(lambda d: parts[d][0][1] if d in parts else 0)
    lead = o["doc_id"].map(lambda d: parts[d][1] if d in parts else (0, 0))
    o["in_headline"] = o["start"] < head
    o["in_lead"] = [a <= s < b for s, (a, b) in zip(o["start"], lead, strict=True)]
    out = o.groupby(["source", "item", "kind"], sort=False).agg(
        in_headline=("in_headline", "any"), in_lead=("in_lead", "any"), first=("start", "min")).reset_index()
    # first-mention order within each outlet (headline first, then by offset)
    out["_key"] = list(zip(~out["in_headline"], out["first"], strict=True))
    out["first_rank"] = out.groupby("source")["_key"].rank(method="first").astype(int)
    carried = out.groupby(["item", "kind"])["source"].agg(set)
    need = max(2, int(np.ceil(min_share * len(sources))))
    omitted = {k: ", ".join(s for s in sources if s not in v) if len(v) >= need else "" for k, v in carried.items()}
    out["omitted_by"] = [omitted[(i, k)] for i, k in zip(out["item"], out["kind"], strict=True)]
    return out.sort_values(["source", "first_rank"], ignore_index=True)[cols]
