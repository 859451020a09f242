"""One self-contained HTML report comparing the sources of a project (``toolkit report``).

Everything is inline: CSS in a ``<style>`` element, plots as base64 PNG ``data:`` images.  The
file loads nothing from the network, so it can be e-mailed and opened anywhere.
"""

from __future__ import annotations

import base64
import os
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.compare import claims as _claims
from toolkit.compare import entities as _entities
from toolkit.compare import framing as _framing
from toolkit.compare import profiles as _profiles
from toolkit.compare import quotes as _quotes
from toolkit.compare import report_templates as T
from toolkit.compare import stances as _stances
from toolkit.compare._layers import Layer, describe_layer, layer_annotators
from toolkit.hints import empty_hint, split_annotators
from toolkit.store import atomic_write_text

#: Entity labels shown in the report's entity section (names of things, not dates or amounts).
NAMED_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT")


def _only_model(spans: pd.DataFrame, stances: pd.DataFrame) -> bool:
    """True when the frames hold model suggestions and nothing from people."""
    humans, models = split_annotators(spans)
    return bool(models) and not humans and not split_annotators(stances)[0]


class Comparison:
    """All cross-source analyses of one set of frames, computed lazily and cached.

    >>> cmp = Comparison.from_project("annotations", layer="gold")   # doctest: +SKIP
    >>> cmp.entity_matrix.head()                                      # doctest: +SKIP
    """

    def __init__(self, documents: pd.DataFrame, spans: pd.DataFrame, stances: pd.DataFrame,
                 links: pd.DataFrame, layer: Layer = None,
                 merges: Mapping[str, str] | None = None, name: str = "",
                 entity_labels: tuple[str, ...] | None = NAMED_LABELS,
                 quote_threshold: float = 0.75, min_quote_words: int = 3) -> None:
        self.documents, self.spans, self.stance_frame, self.links = documents, spans, stances, links
        self.layer_note = ""
        if layer is None and _only_model(spans, stances):
            # a project with suggestions only (import + preannotate): show them rather than nothing
            layer = "model"
            self.layer_note = ("This project has model suggestions only, no human annotations yet: the report uses "
                               "the model layer. Review suggestions in notebooks/01_annotate.ipynb.")
        self.layer = layer
        self.project_path: str | None = None
        #: the project's annotators whose logs were not loaded (named in empty-result hints)
        self.annotators: list[str] | None = None
        self.merges = dict(merges or {})
        self.name = name
        self.entity_labels = entity_labels
        self.quote_threshold = quote_threshold
        self.min_quote_words = min_quote_words

    @classmethod
    def from_project(cls, path: str | os.PathLike[str], layer: Layer = None,
                     **kwargs: Any) -> Comparison:
        """Load a project folder (its frames and entity merges)."""
        from toolkit.store import Project

        proj = Project.open(path)
        known = proj.annotators()
        loaded = layer_annotators(known, layer)  # only the logs the layer needs (a model layer can be most of it)
        frames = proj.load(annotators=loaded)
        name = kwargs.pop("name", None) or proj.name
        cmp = cls(frames.documents, frames.spans, frames.stances, frames.links, layer=layer,
                  merges=_entities.load_merges(path), name=name, **kwargs)
        cmp.project_path = str(proj.path)
        cmp.annotators = [a for a in known if a not in loaded]
        return cmp

    def __repr__(self) -> str:
        return (f"Comparison({self.name or 'unnamed'!r}, sources={len(self.sources)}, "
                f"documents={len(self.documents)}, layer={self.layer!r})")

    @property
    def sources(self) -> list[str]:
        """Sorted source names."""
        return sorted(self.documents["source"].unique()) if not self.documents.empty else []

    # entities ---------------------------------------------------------------------------------
    @cached_property
    def mentions(self) -> pd.DataFrame:
        """:func:`~toolkit.compare.entities.entity_mentions`."""
        return _entities.entity_mentions(self.spans, self.documents, self.layer, self.merges,
                                         self.entity_labels)

    @cached_property
    def entity_matrix(self) -> pd.DataFrame:
        """Entity x source mention counts."""
        return _entities.entity_matrix(self.mentions, self.sources)

    @cached_property
    def entity_shares(self) -> pd.DataFrame:
        """Share of each source's mentions per entity."""
        return _entities.entity_shares(self.mentions, self.sources)

    @cached_property
    def first_mentions(self) -> pd.DataFrame:
        """Entity x source earliest relative position."""
        return _entities.first_mention_matrix(self.mentions)

    @cached_property
    def exclusive_entities(self) -> pd.DataFrame:
        """Entities only one source mentions."""
        return _entities.exclusive_entities(self.mentions)

    # claims -----------------------------------------------------------------------------------
    @cached_property
    def clusters(self) -> pd.DataFrame:
        """:func:`~toolkit.compare.claims.claim_clusters`."""
        return _claims.claim_clusters(self.spans, self.links, self.layer)

    @cached_property
    def cluster_matrix(self) -> pd.DataFrame:
        """Claim cluster x source counts (labelled rows)."""
        return _claims.cluster_matrix(self.clusters, self.sources, labelled=True)

    @cached_property
    def attributions(self) -> pd.DataFrame:
        """Who each source attributes each claim cluster to."""
        return _claims.claim_attributions(self.clusters)

    @cached_property
    def exclusive_claims(self) -> pd.DataFrame:
        """Claim clusters only one source has."""
        return _claims.exclusive_claims(self.clusters)

    @cached_property
    def suggested_links(self) -> pd.DataFrame:
        """Likely claim links not yet recorded (cross-source)."""
        return _claims.suggest_links(self.spans, self.links, self.layer, cross_source=True)

    # quotations -------------------------------------------------------------------------------
    @cached_property
    def quotes(self) -> pd.DataFrame:
        """:func:`~toolkit.compare.quotes.document_quotations`."""
        return _quotes.document_quotations(self.documents, self.spans, self.layer,
                                           self.min_quote_words, self.merges, scare_quotes=True)

    @cached_property
    def quote_matches(self) -> pd.DataFrame:
        """Matched quotation pairs across sources."""
        return _quotes.match_quotations(self.quotes, self.quote_threshold, diff=False)

    @cached_property
    def quote_groups(self) -> dict[str, str]:
        """:func:`~toolkit.compare.quotes.quote_groups`: quotation id -> group (shared quotations, emphasis)."""
        return _quotes.quote_groups(self.quotes, self.quote_matches)

    @cached_property
    def shared_quotations(self) -> pd.DataFrame:
        """Groups of matching quotations."""
        return _quotes.shared_quotations(self.quotes, self.quote_matches, self.quote_groups)

    # stances and profiles ---------------------------------------------------------------------
    @cached_property
    def stance_distribution(self) -> pd.DataFrame:
        """Stance counts per (source, target)."""
        return _stances.stance_distribution(self.stance_frame, self.layer)

    @cached_property
    def stance_table(self) -> pd.DataFrame:
        """Stance counts with agreement beside them."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return _stances.stance_table(self.stance_frame, self.layer)

    # entity merge proposals -------------------------------------------------------------------
    @cached_property
    def open_proposals(self) -> int:
        """Name-variant merges proposed and not yet reviewed (``toolkit compare merges``)."""
        if self.entity_matrix.empty:
            return 0
        rejected = _entities.rejected_pairs(self.project_path) if self.project_path else []
        props = _entities.propose_merges(self.spans, self.layer, self.merges, self.entity_labels, rejected=rejected,
                                         documents=self.documents)
        return len(props)

    # framing ----------------------------------------------------------------------------------
    @cached_property
    def voices(self) -> pd.DataFrame:
        """:func:`~toolkit.compare.framing.voices` (who each outlet quotes)."""
        return _framing.voices(self.quotes, self.clusters)

    @cached_property
    def voice_presence(self) -> pd.DataFrame:
        """Quoted / mentioned / absent per speaker and outlet."""
        return _framing.voice_presence(self.quotes, self.mentions, self.sources)

    @cached_property
    def verbs(self) -> pd.DataFrame:
        """The reporting verb of every quotation."""
        return _framing.attribution_verbs(self.documents, self.quotes)

    @cached_property
    def shared_verbs(self) -> pd.DataFrame:
        """Both outlets' verbs for each shared quotation."""
        return _framing.shared_quote_verbs(self.quote_matches, self.verbs)

    @cached_property
    def distinctive_words(self) -> pd.DataFrame:
        """Fightin' Words per outlet."""
        return _framing.distinctive_words(self.documents)

    @cached_property
    def descriptors(self) -> pd.DataFrame:
        """:func:`~toolkit.compare.descriptors.entity_descriptors`: what each outlet calls each entity."""
        from toolkit.compare.descriptors import entity_descriptors

        return entity_descriptors(self.documents, self.mentions)

    @cached_property
    def distinctive_descriptors(self) -> pd.DataFrame:
        """Descriptors one outlet uses for an entity two or more outlets mention, and the others don't."""
        from toolkit.compare.descriptors import distinctive_descriptors

        return distinctive_descriptors(self.descriptors, self.mentions)

    @cached_property
    def emphasis(self) -> pd.DataFrame:
        """Headline/lead items and omissions per outlet."""
        groups = {q: f"quotation {r}" for q, r in self.quote_groups.items()}  # as shared_quotations counts them
        return _framing.emphasis(self.documents, self.mentions, self.clusters, self.quotes, groups)

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """Per-source profiles."""
        return _profiles.source_profiles(self.documents, self.quotes, self.spans, self.layer,
                                         self.merges)


# ---------------------------------------------------------------------------------------------
# HTML (markup and explanations in toolkit.compare.report_templates)
# ---------------------------------------------------------------------------------------------

CSS = T.CSS
#: Rows shown per table; a 100,000-article project stays a small file that opens at once.
TOP = 40


def figure_to_data_uri(fig: Any, dpi: int = 110) -> str:
    """PNG data URI of a matplotlib Figure (tight bounding box: long titles are not clipped)."""
    from toolkit.figures import figure_png

    return "data:image/png;base64," + base64.b64encode(figure_png(fig, dpi=dpi)).decode("ascii")


def _fmt(value: Any, percent: bool = False) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and value != value):
        return "n/a", True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int,)) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        return f"{int(value):,}", True
    if isinstance(value, float) or (hasattr(value, "dtype") and "float" in str(value.dtype)):
        return (f"{float(value):.0%}" if percent else f"{float(value):.2f}"), True
    return escape(str(value)), False


def html_table(frame: pd.DataFrame, percent_cols: tuple[str, ...] = (), raw_cols: tuple[str, ...] = (),
               index: bool = True, max_rows: int | None = None, empty: str = "Nothing to show.",
               caption: str = "") -> str:
    """An HTML table from a DataFrame (escaped, numbers right-aligned, optional % columns).

    Columns in ``raw_cols`` are inserted as HTML without escaping (the caller made them safe).
    """
    if frame is None or frame.empty:
        return T.EMPTY.format(text=escape(empty))
    df = frame if max_rows is None else frame.iloc[:max_rows]
    idx_names = [n for n in (df.index.names or []) if n] if index else []
    head = "".join(f"<th>{escape(str(n))}</th>" for n in idx_names) if index else ""
    if index and not idx_names:
        head = "<th></th>"
    head += "".join(f"<th>{escape(str(c))}</th>" for c in df.columns)
    rows = []
    for key, row in zip(df.index, df.itertuples(index=False), strict=False):
        cells = []
        if index:
            keys = key if isinstance(key, tuple) else (key,)
            cells += [f"<th>{escape(str(k))}</th>" for k in keys]
        for col, val in zip(df.columns, row, strict=False):
            if col in raw_cols:
                cells.append(f"<td>{val}</td>")
                continue
            text, num = _fmt(val, percent=col in percent_cols)
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = T.MORE_ROWS.format(shown=max_rows, total=len(frame)) if max_rows is not None and len(frame) > max_rows \
        else ""
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return T.TABLE.format(caption=cap, head=head, rows="".join(rows)) + more


def _plot(name: str, *args: Any, **kwargs: Any) -> Any:
    """A figure from :mod:`toolkit.compare.plots` (matplotlib loads only when a report draws one)."""
    from toolkit.compare import plots

    return getattr(plots, name)(*args, **kwargs)


def _figure(fig: Any, alt: str, caption: str) -> str:
    return T.FIGURE.format(src=figure_to_data_uri(fig), alt=escape(alt), caption=escape(caption))


def _explain(key: str, **values: Any) -> str:
    return T.EXPLAIN.format(text=T.EXPLAIN_TEXT[key].format(**values))


def _section(number: int) -> str:
    anchor, title = T.SECTIONS[number - 1]
    return T.SECTION.format(anchor=anchor, number=number, title=escape(title))


def _sub(title: str) -> str:
    return T.SUBSECTION.format(title=escape(title))


def _header(cmp: Comparison, title: str) -> str:
    annotators = sorted(cmp.spans["annotator"].unique()) if not cmp.spans.empty else []
    note = T.LAYER_NOTE.format(text=escape(cmp.layer_note)) if cmp.layer_note else ""
    items = "".join(T.CONTENTS_ITEM.format(anchor=a, title=escape(t)) for a, t in T.SECTIONS)
    return T.HEADER.format(
        title=escape(title), n_sources=len(cmp.sources), n_documents=f"{len(cmp.documents):,}",
        layer=escape(describe_layer(cmp.layer)), annotators=escape(", ".join(annotators) or "none"),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), layer_note=note,
    ) + T.CONTENTS.format(items=items)


def _sources_section(cmp: Comparison) -> list[str]:
    docs = cmp.documents
    out = [_section(1), _explain("sources")]
    if docs.empty:
        return [*out, T.EMPTY.format(text="The project has no documents: run toolkit import.")]
    per = docs.groupby("source").agg(documents=("doc_id", "size"), characters=("n_chars", "sum"))
    out.append(html_table(per))
    first = docs.sort_values(["source", "doc_id"]).groupby("source", sort=False).head(5)
    out.append(html_table(first[["source", "doc_id", "title", "published", "n_chars"]]
                          .rename(columns={"doc_id": "document", "n_chars": "characters"}),
                          index=False, max_rows=TOP, caption="The first articles of each source"))
    return out


def _profiles_section(cmp: Comparison) -> list[str]:
    prof = cmp.profiles
    out = [_section(2), _explain("profiles", min_words=cmp.min_quote_words)]
    if not prof.empty:
        out.append(_figure(_plot("profile_bars", prof), "Bar charts of words, quotations and share quoted per source",
                           "Length, quotations and share of quoted text per source."))
    out.append(html_table(prof.rename(columns={"quote_share": "share quoted", "quoted_chars": "quoted characters",
                                               "speakers_quoted": "speakers quoted"}),
                          percent_cols=("share quoted",), max_rows=TOP))
    return out


def _entities_section(cmp: Comparison) -> list[str]:
    out = [_section(3), _explain("entities")]
    if cmp.entity_matrix.empty:
        return [*out, T.EMPTY.format(text=escape(empty_hint(cmp.spans, "entity annotations", cmp.layer, annotators=cmp.annotators)))]
    out.append(_figure(_plot("coverage_heatmap", cmp.entity_matrix, "Entity mentions per source", max_rows=25),
                       "Heatmap of entity mentions per source",
                       "Entity mentions per source (the 25 most mentioned entities)."))
    if cmp.open_proposals:
        out.append(T.LAYER_NOTE.format(text=escape(
            f"{cmp.open_proposals:,} possible merges of name variants wait for review: "
            "toolkit compare merges (or merge_proposals() in a notebook).")))
    out += [_sub("Entity mentions per source"), html_table(cmp.entity_matrix, max_rows=TOP)]
    out += [_sub("Mentioned by one source only"), _explain("exclusive_entities"),
            html_table(cmp.exclusive_entities, index=False, max_rows=TOP,
                       empty="Every entity is mentioned by at least two sources.")]
    fm = cmp.first_mentions
    fm = fm.reindex(cmp.entity_matrix.index[:25]) if not fm.empty else fm
    out += [_sub("How early each entity appears"), _explain("first_mentions"),
            html_table(fm, percent_cols=tuple(fm.columns))]
    return out


def _claims_section(cmp: Comparison) -> list[str]:
    out = [_section(4), _explain("claims")]
    if cmp.clusters.empty:
        return [*out, T.EMPTY.format(text=escape(empty_hint(cmp.spans, "claim annotations", cmp.layer, annotators=cmp.annotators)))]
    out.append(_figure(_plot("coverage_heatmap", cmp.cluster_matrix, "Claims per source", max_rows=30, cmap="Greens",
                                               label_width=55),
                       "Heatmap of claim clusters per source",
                       "Claim clusters per source (rows: cluster and the start of its first claim)."))
    attr = cmp.attributions
    if not attr.empty:
        multi = cmp.clusters.groupby("cluster")["cluster_sources"].first()
        attr = attr[attr.index.map(multi) > 1]
    out += [_sub("Who each source attributes each claim to"), _explain("attributions"),
            html_table(attr, max_rows=TOP, empty="No claim is reported by two or more sources.")]
    out += [_sub("Claims only one source reports"),
            html_table(cmp.exclusive_claims, index=False, max_rows=TOP,
                       empty="Every claim cluster appears in at least two sources.")]
    sl = cmp.suggested_links
    sl = sl[["score", "source_a", "text_a", "source_b", "text_b"]] if not sl.empty else sl
    out += [_sub("Possible links to review"), _explain("links"),
            html_table(sl, index=False, max_rows=10, empty="No suggestions.")]
    return out


def _quotes_section(cmp: Comparison) -> list[str]:
    out = [_section(5), _explain("quotes")]
    if cmp.quotes.empty:
        return [*out, T.EMPTY.format(text="No quotations in the documents.")]
    out.append(html_table(cmp.shared_quotations.rename(columns={"n_sources": "sources (n)",
                                                                "n_quotations": "quotations (n)"}),
                          index=False, max_rows=TOP, empty="No quotation appears in more than one source."))
    qm = cmp.quote_matches
    if not qm.empty:
        qm = qm.iloc[:TOP].copy()
        # word diffs only for the rows shown (the full table can hold hundreds of thousands of pairs)
        qm["differences"] = [_quotes.compare_quotes(a, b).diff_html for a, b in zip(qm["text_a"], qm["text_b"],
                                                                                      strict=True)]
        qm = qm[["match", "similarity", "cover_a", "cover_b", "source_a", "speaker_a", "source_b", "speaker_b",
                 "differences"]].rename(columns={"speaker_a": "attributed to (a)", "speaker_b": "attributed to (b)",
                                                 "cover_a": "cover a", "cover_b": "cover b"})
    out.append(html_table(qm, index=False, percent_cols=("similarity", "cover a", "cover b"),
                          raw_cols=("differences",), empty="No matching quotations."))
    if len(cmp.quote_matches) > TOP:
        out.append(T.MORE_ROWS.format(shown=TOP, total=len(cmp.quote_matches)))
    return out


def _stances_section(cmp: Comparison) -> list[str]:
    out = [_section(6), _explain("stances")]
    if cmp.stance_distribution.empty:
        return [*out, T.EMPTY.format(text=escape(empty_hint(cmp.stance_frame, "stance annotations", cmp.layer, annotators=cmp.annotators)))]
    out.append(_figure(_plot("stance_bars", cmp.stance_distribution), "Stacked bars of stance per source and target",
                       "Share of stance values per source, one panel per target (n = number of stance annotations)."))
    st = cmp.stance_table.rename(columns={"percent_agreement": "percent agreement", "n_annotators": "annotators"})
    out.append(html_table(st, percent_cols=("percent agreement",), max_rows=TOP))
    return out


def _framing_section(cmp: Comparison) -> list[str]:
    out = [_section(7)]
    voices = cmp.voices
    top_voices = voices.groupby("source", sort=True).head(8) if not voices.empty else voices
    out += [_sub("Voices: who gets to speak"), _explain("voices"),
            html_table(top_voices, index=False, percent_cols=("share",), max_rows=TOP,
                       empty="No attributed quotations.")]
    presence = cmp.voice_presence
    out += [_explain("presence"), html_table(presence.iloc[:15], empty="No quoted speakers.")]
    verbs = cmp.shared_verbs
    if not verbs.empty:
        verbs = verbs[["text_a", "speaker_a", "source_a", "verb_a", "class_a", "source_b", "verb_b", "class_b"]]
        verbs = verbs.sort_values("class_a", key=lambda c: c.eq(verbs["class_b"]), kind="stable")
    out += [_sub("Attribution verbs"), _explain("verbs"),
            html_table(verbs, index=False, max_rows=25, empty="No shared quotation with a reporting verb.")]
    classes = cmp.verbs[cmp.verbs["verb_class"] != ""] if not cmp.verbs.empty else cmp.verbs
    if not classes.empty:
        out += [_explain("verb_classes"),
                html_table(pd.crosstab(classes["source"], classes["verb_class"]))]
    words = cmp.distinctive_words
    words = words.groupby("source", sort=True).head(10) if not words.empty else words
    out += [_sub("Distinctive wording"), _explain("words"),
            html_table(words, index=False, max_rows=TOP * 2, empty="Too little text to compare wording.")]
    out += _descriptors_part(cmp)
    emph = cmp.emphasis
    heads = emph[emph["in_headline"] | emph["in_lead"]] if not emph.empty else emph
    out += [_sub("Emphasis: headlines and first paragraphs"), _explain("emphasis"),
            html_table(heads.groupby("source").head(8) if not heads.empty else heads, index=False, max_rows=TOP,
                       empty="No annotated items in headlines or first paragraphs.")]
    omitted = emph[emph["omitted_by"] != ""].drop_duplicates(["item", "kind"]) if not emph.empty else emph
    out += [_sub("Left out"), _explain("omissions"),
            html_table(omitted[["item", "kind", "omitted_by"]] if not omitted.empty else omitted, index=False,
                       max_rows=TOP, empty="Nothing most outlets carry is left out by another.")]
    return out


def _descriptors_part(cmp: Comparison) -> list[str]:
    """The framing part's "What each outlet calls them" subsection (entity descriptors)."""
    from toolkit.compare.descriptors import descriptor_table

    out = [_sub("What each outlet calls them"), _explain("descriptors")]
    if cmp.descriptors.empty:
        return [*out, T.EMPTY.format(text="No appositions or titles next to annotated names.")]
    table = descriptor_table(cmp.distinctive_descriptors, cmp.sources)
    out.append(html_table(table, max_rows=TOP, empty="Where two or more outlets name the same entity, they describe "
                                                     "it with the same words (or not at all)."))
    shared = cmp.descriptors[cmp.descriptors["kind"] != "adjective"]
    shared = shared.groupby("entity").filter(lambda g: g["source"].nunique() >= 2)
    if not shared.empty:
        both = (shared.assign(cell=shared["descriptor"] + [f" ({c})" if c > 1 else "" for c in shared["count"]])
                .groupby(["entity", "source"])["cell"].agg("; ".join).unstack(fill_value=""))
        out += [_explain("descriptors_all"), html_table(both, max_rows=TOP)]
    return out


def render_report(cmp: Comparison, title: str | None = None) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    title = title or f"How the sources covered it: {cmp.name or 'comparison'}"
    parts = [_header(cmp, title)]
    for section in (_sources_section, _profiles_section, _entities_section, _claims_section, _quotes_section,
                    _stances_section, _framing_section):
        parts += section(cmp)
    return T.PAGE.format(title=escape(title), css=T.CSS, body="\n".join(parts))


def write_report(cmp: Comparison | str | os.PathLike[str], output: str | os.PathLike[str],
                 layer: Layer = None, title: str | None = None) -> Path:
    """Write the HTML report to ``output`` (atomically) and return its path.

    ``cmp`` is a :class:`Comparison` or a project folder (then ``layer`` applies).
    """
    if not isinstance(cmp, Comparison):
        cmp = Comparison.from_project(cmp, layer=layer)
    html = render_report(cmp, title)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, html)
    return out
