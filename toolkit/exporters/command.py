"""``toolkit export``: arguments and the thin glue between the command line and the exporters.

Importing this module is cheap (no pandas or spaCy): the parser is built for every command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Project

FORMAT_NAMES = ("jsonl", "csv", "spans-csv", "conll", "spacy", "prodigy", "doccano", "brat")
STDOUT = "-"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``toolkit export``."""
    p.add_argument("--format", choices=FORMAT_NAMES, default="jsonl",
                   help="jsonl (default), csv (stances; --what spans for spans), spans-csv, conll, spacy, "
                        "prodigy, doccano, brat (a folder)")  # fmt: skip
    p.add_argument("--what", choices=("stances", "spans"), help="with --format csv: which table (default stances)")
    p.add_argument("--output", "-o", metavar="PATH",
                   help="output file or folder ('-' = standard output; default depends on the format)")  # fmt: skip
    p.add_argument("--layer", metavar="LAYER",
                   help="whose annotations: annotator names, gold, human, model or all, comma-separated "
                        "(default: all for jsonl/csv, human -- no model suggestions -- for the others)")  # fmt: skip
    p.add_argument("--annotator", action="append", help="only these annotators (repeatable; like --layer NAME)")
    p.add_argument("--merge", nargs="?", const="majority", choices=("all", "majority"),
                   help="one example per document: gold where present, else the spans all / a majority "
                        "(default) of the annotators agree on")  # fmt: skip
    p.add_argument("--dev-share", type=float, metavar="SHARE",
                   help="spacy: put this share of the documents in dev.spacy, the rest in train.spacy")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="seed of the train/dev split (default 0)")
    p.add_argument("--lang", default="en", help="spacy: language of the blank vocabulary (default en)")


def resolve_format(args: argparse.Namespace) -> str:
    """The export format, with ``--what`` folded in; refuses to write stances to a file named like spans."""
    fmt = args.format
    if args.what and fmt != "csv":
        raise ValidationError("--what only applies to --format csv")
    if fmt == "csv" and args.what == "spans":
        return "spans-csv"
    out = args.output or ""
    if fmt == "csv" and args.what is None and "span" in Path(out).name.lower():
        raise ValidationError(
            f"--format csv writes stances, but the output is named {Path(out).name!r}: "
            "use --format spans-csv (or --what spans) for spans, --what stances to write stances anyway"
        )
    return fmt


def resolve_layer(args: argparse.Namespace) -> Any:
    """``--layer`` / ``--annotator`` as a layer argument (``None``: the format's default)."""
    from ..compare._layers import parse_layer_arg

    if args.layer and args.annotator:
        raise ValidationError("give either --layer or --annotator, not both")
    if args.annotator:
        return args.annotator[0] if len(args.annotator) == 1 else list(args.annotator)
    return parse_layer_arg(args.layer)


def run(args: argparse.Namespace, project: Project) -> int:
    """Export ``project`` as ``args`` ask; the summary and any notes go to stderr when the data goes to stdout."""
    from ..compare._layers import layer_annotators
    from ..hints import empty_hint
    from . import FORMATS, export, render
    from ._common import layer_note

    fmt = resolve_format(args)
    spec = FORMATS[fmt]
    layer = resolve_layer(args)
    to_stdout = args.output == STDOUT
    if args.dev_share is not None and fmt != "spacy":
        raise ValidationError("--dev-share applies to --format spacy only")
    if to_stdout and (spec.kind == "folder" or args.dev_share is not None):
        raise ValidationError(f"{fmt} export writes a folder; give -o FOLDER instead of '-'")
    if args.dev_share is not None and args.output and Path(args.output).suffix == ".spacy":
        raise ValidationError("with --dev-share, -o names a folder (train.spacy and dev.spacy are written in it)")
    known = project.annotators()
    _check_names(layer, known)
    # only the logs the layer needs are read (a model layer is often most of a big project)
    loaded = layer_annotators(known, layer if layer is not None else spec.default_layer)
    frames = project.load(annotators=loaded)
    opts: dict[str, Any] = {"layer": layer, "merge": args.merge}
    if fmt == "spacy":
        opts["lang"] = args.lang
    info = sys.stderr if to_stdout else sys.stdout
    if to_stdout:
        payload, summary = render(fmt, frames, **opts)
        if isinstance(payload, bytes):
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(payload)
            sys.stdout.flush()
        where = "standard output"
    else:
        default = "corpus" if args.dev_share is not None else spec.output
        out = Path(args.output or default)
        if fmt == "spacy":
            opts.update(dev_share=args.dev_share, seed=args.seed)
        summary = export(fmt, frames, out, **opts)
        where = f"{out}/ (train.spacy, dev.spacy)" if args.dev_share is not None else str(out)
    how = layer_note(layer, spec.default_layer) + (f", merged ({args.merge})" if args.merge else "")
    print(f"wrote {spec.what} to {where} [{how}]: {summary.line()}", file=info)
    for note in summary.notes:
        print(f"warning: {note}", file=sys.stderr)
    if not _written(summary):
        frame = frames.stances if fmt == "csv" else frames.spans
        what = "stances" if fmt == "csv" else "annotations"
        print(empty_hint(frame, what, layer if layer is not None else spec.default_layer,
                         annotators=[a for a in known if a not in loaded]), file=sys.stderr)
    return 0


def _check_names(layer: Any, known: list[str]) -> None:
    """One-line error for an annotator name in ``layer`` that the project does not have (``gold`` may be absent)."""
    names = [layer] if isinstance(layer, str) else list(layer or ())
    unknown = [n for n in names if n not in (*known, "gold", "human", "model", "all")]
    if unknown:
        raise ValidationError(
            f"unknown annotator(s) {', '.join(map(repr, unknown))}; the project has: {', '.join(known) or 'none'} "
            "(or use gold, human, model, all)"
        )


def _written(summary: dict[str, int]) -> bool:
    """Whether the export holds any annotation (not just documents)."""
    keys = ("docs", "tasks", "examples", "spans", "stances")
    counts = [summary[k] for k in keys if k in summary]
    if "lines" in summary:
        return True  # jsonl writes every document, annotated or not
    return any(counts)
