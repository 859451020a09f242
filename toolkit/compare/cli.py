"""CLI: ``toolkit compare VIEW`` (one subcommand per view, each with its own help) and ``toolkit report``.

Views: entities, claims, quotes, stances, profiles, links, merge, merges, and the framing views
voices, verbs, words, descriptors, emphasis.  Every view takes ``--layer`` and ``--format table|csv``; a table
is fitted to the terminal width, CSV is long-format for other tools.  An empty result says why and
what to run; a project with model suggestions only uses the model layer and says so.

This module only imports argparse at load time; pandas and matplotlib load when a command runs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from typing import Any

from toolkit.errors import ToolkitError

VIEWS = ("entities", "claims", "quotes", "stances", "profiles", "links", "voices", "verbs", "words", "descriptors",
         "emphasis")

#: One line of help and one example per view (shown by ``toolkit compare VIEW --help``).
HELP = {
    "entities": ("entity x source mention counts (one row per person, place, organisation)",
                 "toolkit compare entities --labels PERSON,ORG"),
    "claims": ("claim clusters x source, with who each source attributes them to", "toolkit compare claims"),
    "quotes": ("quotations shared across sources: match kind, coverage, similarity, speakers, word diff",
               "toolkit compare quotes --format csv > quotes.csv"),
    "stances": ("stance counts per source and target, with annotator agreement",
                "toolkit compare stances --level document"),
    "profiles": ("per source: documents, words, quotations, share quoted, speakers, claims",
                 "toolkit compare profiles"),
    "links": ("likely claim links across sources not recorded yet (top neighbours per claim)",
              "toolkit compare links --layer ana"),
    "voices": ("per outlet: who is quoted, how often, with how many quoted words (share)",
               "toolkit compare voices --layer model"),
    "verbs": ("reporting verbs per outlet and speaker, by class; --shared: both verbs of each shared quotation",
              "toolkit compare verbs --shared"),
    "words": ("per outlet: distinctive words and phrases, as lemmas without stop words (weighted log-odds, "
              "informative Dirichlet prior)", "toolkit compare words --top 20 --no-lemmas"),
    "descriptors": ("per outlet and entity: appositions, titles and adjectives attached to the name ('the Ostrandi "
                    "leader', 'embattled Prime Minister'); --distinct: only those no other outlet uses",
                    "toolkit compare descriptors --distinct --format csv > descriptors.csv"),
    "emphasis": ("per outlet: what is in headlines and first paragraphs, and what is left out",
                 "toolkit compare emphasis --format csv"),
    "merge": ("record that ALIAS is CANONICAL (an analyst's entity merge)", 'toolkit compare merge "Doe" "Jane Doe"'),
    "merges": ("list name-variant merge proposals with evidence; accept or reject them",
               "toolkit compare merges --accept Okafor"),
}


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--layer", metavar="NAMES",
                        help="whose annotations: an annotator, 'gold', 'model', 'human', 'all', or a comma-separated "
                             "list (default: gold if present, else all humans; model suggestions when that is all "
                             "there is)")
    parent.add_argument("--format", choices=["table", "csv"], default="table",
                        help="table (fitted to the terminal, default) or csv (long format)")
    return parent


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` (with one subcommand per view) and ``report`` to the toolkit CLI."""
    common = _common()
    p = subparsers.add_parser("compare", help="compare sources: entities, claims, quotations, stances, framing",
                              description="Cross-source tables, one subcommand per view.",
                              epilog="example: toolkit compare quotes --format csv > quotes.csv")
    views = p.add_subparsers(dest="view", metavar="VIEW", required=True)

    def view(name: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        text, example = HELP[name]
        sp = views.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".",
                              epilog=f"example: {example}", parents=[common])
        sp.set_defaults(func=func)
        return sp

    for name in ("entities",):
        sp = view(name, _run_view)
        sp.add_argument("--labels", metavar="LABELS",
                        help="comma-separated entity labels (default: all but dates and numbers)")
        sp.add_argument("--all-labels", action="store_true",
                        help="keep DATE, TIME, CARDINAL, ORDINAL, PERCENT, MONEY, QUANTITY too")
    for name in ("claims", "profiles", "links", "voices", "emphasis"):
        view(name, _run_view)
    view("quotes", _run_view).add_argument("--threshold", type=float, default=0.75,
                                           help="minimum similarity 0..1 (default 0.75)")
    view("stances", _run_view).add_argument("--level", choices=["all", "document", "claim"], default="all",
                                            help="document-level, claim-level or all stances")
    view("verbs", _run_view).add_argument("--shared", action="store_true",
                                          help="side by side: both outlets' verbs for each shared quotation")
    w = view("words", _run_view)
    w.add_argument("--top", type=int, default=15, help="terms per outlet (default 15)")
    w.add_argument("--no-lemmas", action="store_true",
                   help="count words as written (default: lemmas, e.g. 'talks', 'talked' -> 'talk')")
    view("descriptors", _run_view).add_argument(
        "--distinct", action="store_true",
        help="for entities two or more outlets mention: only the descriptors one outlet uses and the others don't")

    m = view("merge", _run_merge)
    m.add_argument("names", nargs=2, metavar="NAME", help='ALIAS CANONICAL, e.g. "Doe" "Jane Doe"')
    ms = view("merges", _run_merges)
    ms.add_argument("--labels", metavar="LABELS", help="comma-separated entity labels")
    ms.add_argument("--all-labels", action="store_true", help="include dates and numbers")
    ms.add_argument("--accept", action="append", default=[], metavar="ALIAS",
                    help="accept the proposal for ALIAS (repeatable; 'ALIAS=CANONICAL' when ALIAS has several)")
    ms.add_argument("--reject", action="append", default=[], metavar="ALIAS",
                    help="reject the proposal for ALIAS: never proposed again (repeatable)")
    ms.add_argument("--accept-all", action="store_true", help="accept every open proposal")
    ms.add_argument("--status", choices=["proposed", "accepted", "rejected", "all"], default="proposed",
                    help="which proposals to list (default: proposed)")

    r = subparsers.add_parser("report", help="write one self-contained HTML comparison report", parents=[common],
                              epilog="example: toolkit report -o coverage.html --layer gold")
    r.add_argument("--output", "-o", default="report.html", metavar="FILE",
                   help="HTML file to write (default: report.html)")
    r.add_argument("--title", help="report title")
    r.set_defaults(func=run_report)


# --------------------------------------------------------------------------- output


def fit_to_width(frame: Any, width: int, index: bool = True) -> Any:
    """Shorten long text cells so the table fits ``width`` characters (numbers are never cut)."""
    import pandas as pd

    text_cols = [c for c in frame.columns
                 if not pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    if frame.empty or not text_cols:
        return frame
    lengths = {c: max(len(str(c)), int(frame[c].astype(str).str.len().max() or 0)) for c in frame.columns}
    idx = int(frame.index.astype(str).str.len().max() or 0) + 2 if index else 0
    fixed = idx + sum(lengths[c] + 2 for c in frame.columns if c not in text_cols)
    budget = max(12, (width - fixed) // len(text_cols) - 2)
    out = frame.copy()
    for c in text_cols:
        if lengths[c] > budget:
            out[c] = [s if len(s) <= budget else s[: budget - 1] + "…" for s in out[c].astype(str)]
    return out


def _emit(frame: Any, fmt: str, index: bool = True, empty: str = "(nothing to show)") -> None:
    import pandas as pd

    if fmt == "csv":
        frame.to_csv(sys.stdout, index=index)
        return
    if frame.empty:
        print(empty)  # the table's place: why it is empty and what to run
        return
    width = shutil.get_terminal_size((120, 24)).columns
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", width,
                           "display.max_colwidth", None):
        print(fit_to_width(frame, width, index).to_string(index=index))


def _comparison(args: argparse.Namespace, **kwargs: Any) -> Any:
    from pathlib import Path

    from toolkit.compare._layers import describe_layer, parse_layer_arg
    from toolkit.compare.report import Comparison

    if not Path(args.project).is_dir():
        raise ToolkitError(f"{args.project}: project folder not found (use --project DIR)")
    cmp = Comparison.from_project(args.project, layer=parse_layer_arg(args.layer), **kwargs)
    if cmp.layer_note:
        print(cmp.layer_note, file=sys.stderr)
    elif args.format == "table":
        print(f"(annotations used: {describe_layer(cmp.layer)})", file=sys.stderr)
    return cmp


def _hint(cmp: Any, what: str, stances: bool = False) -> str:
    from toolkit.hints import empty_hint

    return empty_hint(cmp.stance_frame if stances else cmp.spans, what, cmp.layer,
                      annotators=getattr(cmp, "annotators", None))


def _run_view(args: argparse.Namespace) -> int:
    """``toolkit compare VIEW`` for the table views."""
    from toolkit.compare import claims, framing, stances

    labels = tuple(x.strip() for x in args.labels.split(",")) if getattr(args, "labels", None) else None
    kwargs: dict[str, Any] = {"entity_labels": labels} if labels else {}
    if args.view == "quotes":
        kwargs["quote_threshold"] = args.threshold
    cmp = _comparison(args, **kwargs)
    if getattr(args, "all_labels", False) and labels is None and not cmp.spans.empty:
        cmp.entity_labels = tuple(sorted(cmp.spans["label"].dropna().astype(str).unique()))
    view = args.view
    if view == "entities":
        _emit(cmp.entity_matrix, args.format, empty=_hint(cmp, "entity annotations"))
    elif view == "claims":
        table = cmp.cluster_matrix.copy()
        if not table.empty:
            attr = cmp.attributions
            table.index = [i.split(":")[0] for i in table.index]
            table.index.name = "cluster"
            table["text"] = claims.cluster_labels(cmp.clusters).str.split(": ", n=1).str[1]
            table["attributed to"] = attr.apply(lambda r: "; ".join(f"{s}: {v}" for s, v in r.items() if v), axis=1)
        _emit(table, args.format, empty=_hint(cmp, "claim annotations"))
    elif view == "links":
        sl = cmp.suggested_links
        cols = ["score", "source_a", "text_a", "source_b", "text_b", "a", "b"]
        _emit(sl[cols] if not sl.empty else sl, args.format, index=False,
              empty="No likely links: claims of different sources share too few words."
              if not cmp.clusters.empty else _hint(cmp, "claim annotations"))
    elif view == "quotes":
        qm = cmp.quote_matches
        cols = ["match", "similarity", "cover_a", "cover_b", "source_a", "speaker_a", "text_a", "source_b",
                "speaker_b", "text_b"]
        if not qm.empty and args.format == "csv":
            from toolkit.compare.quotes import compare_quotes

            qm = qm.assign(diff=[compare_quotes(a, b).diff_text for a, b in zip(qm["text_a"], qm["text_b"],
                                                                                 strict=True)])
            cols.append("diff")
        _emit(qm[cols] if not qm.empty else qm, args.format, index=False,
              empty="No quotation appears in more than one source." if not cmp.quotes.empty
              else "No quotations in the documents.")
    elif view == "stances":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table = stances.stance_table(cmp.stance_frame, cmp.layer, level=args.level)
        _emit(table, args.format, empty=_hint(cmp, "stance annotations", stances=True))
    elif view == "profiles":
        _emit(cmp.profiles, args.format)
    elif view == "voices":
        _emit(cmp.voices, args.format, index=False, empty="No attributed quotations.")
    elif view == "verbs":
        if args.shared:
            _emit(cmp.shared_verbs, args.format, index=False, empty="No quotation is shared by two outlets.")
        else:
            _emit(framing.verb_table(cmp.verbs), args.format, index=False, empty="No reporting verbs found.")
    elif view == "words":
        lemmas = None if args.no_lemmas else framing.CORPUS_LEMMAS
        _emit(framing.distinctive_words(cmp.documents, top=args.top, lemmatize=lemmas), args.format, index=False,
              empty="Too little text, or a single outlet: nothing to compare.")
    elif view == "descriptors":
        table = cmp.distinctive_descriptors if args.distinct else cmp.descriptors
        _emit(table, args.format, index=False,
              empty=_hint(cmp, "entity annotations") if cmp.mentions.empty else
              "No outlet uses a descriptor of its own for an entity others mention too." if args.distinct else
              "No appositions or titles next to the annotated names.")
    elif view == "emphasis":
        _emit(cmp.emphasis, args.format, index=False, empty=_hint(cmp, "annotations"))
    return 0


def _run_merge(args: argparse.Namespace) -> int:
    """``toolkit compare merge ALIAS CANONICAL``."""
    from toolkit.compare import entities

    alias, canonical = args.names
    merges = entities.add_merge(args.project, alias, canonical)
    print(f"recorded: {alias!r} -> {canonical!r} ({len(merges)} merges in {entities.merges_path(args.project)})")
    return 0


def _split_alias(value: str) -> tuple[str, str | None]:
    alias, _, canonical = value.partition("=")
    return alias.strip(), (canonical.strip() or None)


def _run_merges(args: argparse.Namespace) -> int:
    """``toolkit compare merges``: refresh the stored proposals, apply decisions, list them."""
    from pathlib import Path

    from toolkit.compare import entities
    from toolkit.compare._layers import parse_layer_arg

    if not Path(args.project).is_dir():
        raise ToolkitError(f"{args.project}: project folder not found (use --project DIR)")
    labels = tuple(x.strip() for x in args.labels.split(",")) if args.labels else None
    layer = parse_layer_arg(args.layer)
    status = None if args.status == "all" else args.status
    frame = entities.merge_proposals(args.project, layer, labels, all_labels=args.all_labels, status=status)
    for value in args.reject:
        p = entities.reject_proposal(args.project, *_split_alias(value))
        print(f"rejected: {p['alias']!r} -> {p['canonical']!r}")
    for value in args.accept:
        p = entities.accept_proposal(args.project, *_split_alias(value))
        print(f"accepted: {p['alias']!r} -> {p['canonical']!r}")
    if args.accept_all:
        done = entities.accept_all_proposals(args.project)
        print(f"accepted {len(done)} proposal(s)")
    if args.accept or args.reject or args.accept_all:
        # Decisions change the groups, and so the proposals: list the fresh state.
        frame = entities.merge_proposals(args.project, layer, labels, all_labels=args.all_labels, status=status)
    if frame.empty and args.format == "table":
        which = "" if status is None else f" with status {status!r}"
        print(f"no merge proposals{which} ({entities.merges_path(args.project)})")
        return 0
    if args.format == "table":
        frame = frame.rename(columns={"alias_mentions": "n_alias", "canonical_mentions": "n_canonical"})
    _emit(frame, args.format, index=False)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """``toolkit report``."""
    from toolkit.compare.report import write_report

    cmp = _comparison(args)
    out = write_report(cmp, args.output, title=args.title)
    print(f"wrote {out} ({out.stat().st_size:,} bytes): open it in a web browser")
    return 0
