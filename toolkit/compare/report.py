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
from toolkit.compare import plots as _plots
from toolkit.compare import profiles as _profiles
from toolkit.compare import quotes as _quotes
from toolkit.compare import stances as _stances
from toolkit.compare._layers import Layer, describe_layer
from toolkit.store import atomic_write_text

#: Entity labels shown in the report's entity section (names of things, not dates or amounts).
NAMED_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT")


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
        self.layer = layer
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
        frames = proj.load()
        name = kwargs.pop("name", None) or proj.name
        return cls(frames.documents, frames.spans, frames.stances, frames.links, layer=layer,
                   merges=_entities.load_merges(path), name=name, **kwargs)

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
                                           self.min_quote_words, self.merges)

    @cached_property
    def quote_matches(self) -> pd.DataFrame:
        """Matched quotation pairs across sources."""
        return _quotes.match_quotations(self.quotes, self.quote_threshold)

    @cached_property
    def shared_quotations(self) -> pd.DataFrame:
        """Groups of matching quotations."""
        return _quotes.shared_quotations(self.quotes, self.quote_matches)

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

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """Per-source profiles."""
        return _profiles.source_profiles(self.documents, self.quotes, self.spans, self.layer,
                                         self.merges)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; color: #1f2328; background: #f6f8fa; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 4px; margin-top: 2em; }
h3 { margin-top: 1.4em; }
p.explain, .explain { color: #444; max-width: 860px; }
p.meta { color: #666; font-size: 0.9em; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.88em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #eef1f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 12px 0 20px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e1e4e8; }
figcaption { font-size: 0.85em; color: #555; }
del { background: #ffd7d5; text-decoration: line-through; }
ins { background: #ccffd8; text-decoration: none; }
.empty { color: #888; font-style: italic; }
"""


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
        return f'<p class="empty">{escape(empty)}</p>'
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
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<p class="meta">Showing {max_rows} of {len(frame)} rows.</p>'
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + more)


def _figure(fig: Any, alt: str, caption: str) -> str:
    return (f'<figure><img src="{figure_to_data_uri(fig)}" alt="{escape(alt)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def render_report(cmp: Comparison, title: str | None = None) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    title = title or f"How the sources covered it: {cmp.name or 'comparison'}"
    docs = cmp.documents.sort_values(["source", "doc_id"])
    annotators = sorted(cmp.spans["annotator"].unique()) if not cmp.spans.empty else []
    parts: list[str] = []
    add = parts.append

    add(f"<h1>{escape(title)}</h1>")
    add(f'<p class="meta">{len(cmp.sources)} sources, {len(docs)} documents. Annotations used: '
        f"{escape(describe_layer(cmp.layer))} (annotators in the project: "
        f"{escape(', '.join(annotators) or 'none')}). Generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.</p>")
    add('<p class="explain">This report compares how several news sources reported the same '
        "event: who and what they mention, which claims they make, which quotations they share, "
        "and which side they take. Each section starts with a short explanation of how to read "
        "it. Counts come from the annotations people (or models) made on the articles, so they "
        "are only as complete as those annotations.</p>")
    add("<nav><h2>Contents</h2><ol><li><a href='#sources'>Sources and documents</a></li>"
        "<li><a href='#profiles'>Source profiles</a></li><li><a href='#entities'>Who and what "
        "is mentioned</a></li><li><a href='#claims'>Claims</a></li><li><a href='#quotes'>"
        "Shared quotations</a></li><li><a href='#stances'>Stances</a></li></ol></nav>")

    # sources
    add("<h2 id='sources'>1. Sources and documents</h2>")
    add('<p class="explain">The articles this report is based on, grouped by source.</p>')
    add(html_table(docs[["source", "doc_id", "title", "published", "n_chars"]]
                   .rename(columns={"doc_id": "document", "n_chars": "characters"}),
                   index=False, empty="The project has no documents."))

    # profiles
    prof = cmp.profiles
    add("<h2 id='profiles'>2. Source profiles</h2>")
    add('<p class="explain">How much each source wrote and how much of it is other people\'s '
        "words. <b>Quotations</b> counts passages in quotation marks of at least "
        f"{cmp.min_quote_words} words; <b>share quoted</b> is the part of the text inside "
        "quotation marks; <b>speakers quoted</b> counts the different people or bodies quoted; "
        "<b>claims</b> counts annotated claims.</p>")
    if not prof.empty:
        add(_figure(_plots.profile_bars(prof), "Bar charts of words, quotations and share quoted "
                    "per source", "Length, quotations and share of quoted text per source."))
    add(html_table(prof.rename(columns={"quote_share": "share quoted", "quoted_chars":
                                        "quoted characters", "speakers_quoted": "speakers quoted"}),
                   percent_cols=("share quoted",)))

    # entities
    add("<h2 id='entities'>3. Who and what is mentioned</h2>")
    add('<p class="explain">Each row is a person, organisation or place; each column a source; '
        "each cell the number of times that source mentions it. Different spellings of the "
        'same name ("Ms Doe", "Jane Doe", "Doe\'s") are counted as one entity. Darker cells '
        "mean more mentions. A row with empty cells shows who a source left out.</p>")
    if not cmp.entity_matrix.empty:
        add(_figure(_plots.coverage_heatmap(cmp.entity_matrix, "Entity mentions per source",
                                            max_rows=25),
                    "Heatmap of entity mentions per source",
                    "Entity mentions per source (the 25 most mentioned entities)."))
    add("<h3>Entity mentions per source</h3>")
    add(html_table(cmp.entity_matrix, max_rows=40, empty="No entity annotations."))
    add("<h3>Mentioned by one source only</h3>")
    add('<p class="explain">Entities that appear in only one source\'s coverage.</p>')
    add(html_table(cmp.exclusive_entities, index=False, max_rows=40,
                   empty="Every entity is mentioned by at least two sources."))
    add("<h3>How early each entity appears</h3>")
    add('<p class="explain">Position of the first mention in the article, from 0% (the first '
        "words) to 100% (the end); earlier usually means more prominent. Empty: not mentioned.</p>")
    fm = cmp.first_mentions
    if not fm.empty:
        fm = fm.reindex(cmp.entity_matrix.index[:25])
    add(html_table(fm, percent_cols=tuple(fm.columns), empty="No entity annotations."))

    # claims
    add("<h2 id='claims'>4. Claims</h2>")
    add('<p class="explain">A claim is a statement of fact, prediction, opinion or quotation '
        "that annotators marked. Claims that annotators linked as \"the same claim\" form a "
        "<b>cluster</b> (C1, C2, ...). The heatmap shows which sources carry each cluster.</p>")
    if not cmp.cluster_matrix.empty:
        add(_figure(_plots.coverage_heatmap(cmp.cluster_matrix, "Claims per source",
                                            max_rows=30, cmap="Greens", label_width=55),
                    "Heatmap of claim clusters per source",
                    "Claim clusters per source (rows: cluster and the start of its first claim)."))
    add("<h3>Who each source attributes each claim to</h3>")
    add('<p class="explain">For clusters reported by more than one source: the person or body '
        "each source names as the origin of the claim. \"(unattributed)\" means the source "
        "states it without naming anyone.</p>")
    attr = cmp.attributions
    if not attr.empty:
        multi = cmp.clusters.groupby("cluster")["cluster_sources"].first()
        attr = attr[attr.index.map(multi) > 1]
    add(html_table(attr, empty="No claim is reported by two or more sources."))
    add("<h3>Claims only one source reports</h3>")
    add(html_table(cmp.exclusive_claims, index=False, max_rows=40,
                   empty="Every claim cluster appears in at least two sources."))
    add("<h3>Possible links to review</h3>")
    add('<p class="explain">Pairs of claims from different sources that use similar words but '
        "are not linked yet, most similar first (score from 0 to 1). An annotator should check "
        "them: similar words do not always mean the same claim.</p>")
    sl = cmp.suggested_links[["score", "source_a", "text_a", "source_b", "text_b"]] \
        if not cmp.suggested_links.empty else cmp.suggested_links
    add(html_table(sl, index=False, max_rows=10, empty="No suggestions."))

    # quotations
    add("<h2 id='quotes'>5. Shared quotations</h2>")
    add('<p class="explain">The same quotation printed by more than one source, even when a '
        "source shortened it, left words out (…) or changed a word. In the differences column, "
        '<del>struck-out words</del> appear only in the first source\'s version and '
        "<ins>highlighted words</ins> only in the second's. Similarity is the share of the "
        "shorter version found in the other (100% = identical or a pure cut).</p>")
    add(html_table(cmp.shared_quotations.rename(columns={"n_sources": "sources (n)"}),
                   index=False, empty="No quotation appears in more than one source."))
    qm = cmp.quote_matches
    if not qm.empty:
        qm = qm.assign(diff_html=qm["diff_html"])[
            ["similarity", "source_a", "speaker_a", "source_b", "speaker_b", "diff_html"]
        ].rename(columns={"diff_html": "differences", "speaker_a": "attributed to (a)",
                          "speaker_b": "attributed to (b)"})
    add(html_table(qm, index=False, percent_cols=("similarity",), raw_cols=("differences",),
                   empty="No matching quotations."))

    # stances
    add("<h2 id='stances'>6. Stances</h2>")
    add('<p class="explain">Whether each source\'s coverage is in favour of, against, or neutral '
        "towards each target, as annotated. <b>Agreement</b> shows how far the annotators agreed "
        "on these judgements for that source and target: Krippendorff's alpha is 1 for perfect "
        "agreement and 0 for agreement no better than chance (n/a when it cannot be computed, "
        "e.g. only one annotator); percent agreement is the share of annotator pairs that "
        "chose the same value.</p>")
    if not cmp.stance_distribution.empty:
        add(_figure(_plots.stance_bars(cmp.stance_distribution), "Stacked bars of stance per "
                    "source and target", "Share of stance values per source, one panel per "
                    "target (n = number of stance annotations)."))
    st = cmp.stance_table.rename(columns={"percent_agreement": "percent agreement",
                                          "n_annotators": "annotators", "alpha": "alpha"})
    add(html_table(st, percent_cols=("percent agreement",), empty="No stance annotations."))

    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")


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
