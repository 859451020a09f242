"""The ``toolkit`` command line: batch work on a project folder.

Every command takes the global ``--project DIR`` (default ``annotations``).
Errors the user can fix are printed as one line ``error: ...`` with exit code 1
(2 for bad usage); no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import ToolkitError
from .exporters.command import add_arguments as export_arguments

#: Modules that add sub-commands through ``register(subparsers)``.
PLUGINS = (
    "toolkit.nlp.cli",
    "toolkit.agreement.cli",
    "toolkit.compare.cli",
    "toolkit.labelstudio.cli",
    "toolkit.targets_cli",
)


def _project(args: argparse.Namespace):
    from .store import Project

    return Project.open(args.project)


def cmd_init(args: argparse.Namespace) -> int:
    from .model import LabelSchema
    from .store import Project

    if args.demo:
        from .demo import build_demo

        proj = build_demo(args.project, annotations=not args.no_annotations)
    else:
        proj = Project.init(args.project, schema=LabelSchema.default(args.target or ()), name=args.name)
    print(f"created project {proj.path} ({len(proj.documents())} documents, annotators: {proj.annotators() or 'none'})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importers import import_stream, iter_located, parse_field_map

    proj = _project(args)
    if args.annotations:
        from .formats import import_annotations, parse_label_map

        if args.map or args.replace:
            raise ToolkitError("--map and --replace apply to document import, not to --annotations")
        report = import_annotations(
            proj, args.paths, args.annotations, annotator=args.annotator, source=args.source,
            label_map=parse_label_map(args.map_label or []), strict=args.strict,
        )  # fmt: skip
        print("\n".join(report.lines()))
        return 0
    if args.annotator or args.map_label or args.strict:
        raise ToolkitError("--annotator, --map-label and --strict need --annotations FORMAT")
    notes: list[str] = []
    mapping = parse_field_map(args.map or [])
    # Two streaming passes (check everything, then write in batches): nothing is stored when any
    # line is refused, and memory does not grow with the corpus.
    out = import_stream(proj, lambda n: iter_located(args.paths, source=args.source, mapping=mapping, notes=n),
                        replace=args.replace, notes=notes)
    print(f"added {len(out['added'])}, unchanged {len(out['unchanged'])}, replaced {len(out['replaced'])} documents")
    for note in notes:
        print(f"note: {note}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    proj = _project(args)
    st = proj.status()
    if args.json:
        print(json.dumps(st, indent=2))
        return 0
    print(f"project {proj.path}: {st['documents']} documents")
    for src, n in sorted(st["sources"].items()):
        print(f"  {src:<32} {n:>5} documents")
    if not st["annotators"]:
        print("no annotations yet")
    for ann, c in st["annotators"].items():
        print(
            f"  {ann:<32} {c['documents']:>4} docs {c['spans']:>6} spans {c['stances']:>5} stances "
            f"{c['links']:>4} links" + (f"  ({c['problems']} problems: run `toolkit validate`)" if c["problems"] else "")
        )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    proj = _project(args)
    problems = proj.validate()
    for p in problems:
        print(p)
    docs = len(proj.documents())
    if problems:
        kinds: dict[str, int] = {}
        for p in problems:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        print(
            f"{len(problems)} problem(s) ({by_kind}) in {docs} documents / {len(proj.annotators())} annotators; "
            "lines that are not valid records are ignored (`toolkit repair` sets them aside)",
            file=sys.stderr,
        )
        return 1
    print(f"ok: {docs} documents, {len(proj.annotators())} annotators, no problems")
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    proj = _project(args)
    out = proj.repair()
    if not out:
        print("nothing to repair")
    for ann, n in out.items():
        print(f"{ann}: set aside {n} torn, corrupt or invalid line(s) (kept in records/*.torn-*)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .exporters.command import run

    return run(args, _project(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolkit", description="Annotate and compare how news sources cover the same event."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--project", default="annotations", metavar="DIR", help="project folder (default: annotations)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create a project folder")
    p.add_argument("--demo", action="store_true", help="fill it with the bundled demo corpus and annotations")
    p.add_argument("--no-annotations", action="store_true", help="with --demo: documents only")
    p.add_argument("--target", action="append", help="a stance target (repeatable)")
    p.add_argument("--name", help="project name")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "import", help="import articles (.txt folders/files, .jsonl, .json, .csv) or annotation files (--annotations)"
    )
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--source", help="outlet name for all new documents (default: folder name / source column / file)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="column mapping, e.g. text=body")
    p.add_argument("--replace", action="store_true", help="overwrite documents whose text changed")
    p.add_argument(
        "--annotations", metavar="FORMAT", choices=["prodigy", "doccano", "brat", "labelstudio", "conll", "toolkit"],
        help="import annotations: prodigy, doccano, brat, labelstudio, conll or toolkit (our jsonl export)",
    )  # fmt: skip
    p.add_argument("--annotator", help="with --annotations: layer name for all records (default: from the file)")
    p.add_argument("--map-label", action="append", metavar="FROM=TO", help="with --annotations: rename a label")
    p.add_argument("--strict", action="store_true", help="with --annotations: any span not placed is an error")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("status", help="documents per source and records per annotator")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("validate", help="check every record against its document and the schema")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("repair", help="set aside torn or corrupt lines left by a crash")
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("export", help="export current annotations (JSONL, CSV, CoNLL, spaCy, Prodigy, doccano, brat)")
    export_arguments(p)
    p.set_defaults(func=cmd_export)

    for name in PLUGINS:
        importlib.import_module(name).register(sub)
    _global_options_anywhere(parser)
    return parser


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every sub-command parser below ``parser`` (any depth)."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *_subparsers(child)]
    return found


def _global_options_anywhere(parser: argparse.ArgumentParser) -> None:
    """Accept ``--project DIR`` after the sub-command too (``toolkit status --project X``).

    Added to every sub-command with a suppressed default, so a value given after the
    sub-command wins and one given before it (or the default) stays otherwise.
    """
    for child in _subparsers(parser):
        if "--project" not in child._option_string_actions:
            child.add_argument("--project", default=argparse.SUPPRESS, metavar="DIR",
                               help="project folder (also accepted before the command)")


def _quiet_broken_pipe() -> int:
    """The reader of our output went away (``toolkit ... | head``): stop quietly, exit 0.

    stdout is pointed at /dev/null so the interpreter's final flush cannot fail again
    and print "Exception ignored ... BrokenPipeError".
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


#: ``--layer`` words that are not annotator names (``gold`` is one, but may legitimately be absent).
LAYER_KEYWORDS = frozenset({"model", "human", "all", "gold"})


def _check_layer_names(args: argparse.Namespace) -> None:
    """``compare``/``report --layer NAMES``: a name that is no annotator of the project is an error, not an empty table."""
    value = getattr(args, "layer", None)
    if args.command not in ("compare", "report") or not isinstance(value, str):
        return
    names = [n.strip() for n in value.split(",") if n.strip() and n.strip() not in LAYER_KEYWORDS]
    if names and os.path.isfile(os.path.join(args.project, "project.json")):
        from .store import Project

        Project.open(args.project).check_annotators(names)  # NotFoundError listing the known annotators


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_layer_names(args)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:  # before OSError, of which it is a subclass
        return _quiet_broken_pipe()
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # permissions, full disk, missing paths the commands did not anticipate
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
