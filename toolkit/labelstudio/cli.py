"""``toolkit ls push|pull|sync|status --url URL``: Label Studio sync from the command line.

The API token is read from ``LABEL_STUDIO_API_KEY`` or
``~/.config/newslens/labelstudio.toml``; there is deliberately no ``--token``
option (it would end up in shell history and process lists).
"""

from __future__ import annotations

import argparse
import json
import os

DEFAULT_URL = "http://127.0.0.1:8080"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ls`` command group."""
    ls = subparsers.add_parser(
        "ls",
        help="sync with a Label Studio server (push documents, pull annotations)",
        description="Sync the project with Label Studio. Token: $LABEL_STUDIO_API_KEY or "
        '~/.config/newslens/labelstudio.toml (token = "...").',
    )
    sub = ls.add_subparsers(dest="ls_command", required=True)
    for name, text in (
        ("push", "create tasks for new documents (and predictions for model layers)"),
        ("pull", "bring Label Studio annotations into the store (only what changed)"),
        ("sync", "push, then pull"),
        ("status", "show what is pushed, changed and pulled"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument(
            "--url",
            default=os.environ.get("LABEL_STUDIO_URL", DEFAULT_URL),
            help=f"Label Studio URL (default $LABEL_STUDIO_URL or {DEFAULT_URL})",
        )
        if name in ("push", "sync"):
            p.add_argument("--batch-size", type=int, default=250, help="tasks per import request (default 250)")
            p.add_argument("--no-predictions", action="store_true", help="do not send model layers as predictions")
            p.add_argument("--new-project", action="store_true", help="create a new Label Studio project")
            p.add_argument(
                "--annotations",
                action="store_true",
                help="also send human annotations (one Label Studio annotation per document and annotator)",
            )
            p.add_argument(
                "--annotator",
                action="append",
                metavar="NAME",
                help="with --annotations: only this annotator (repeatable; default all human annotators)",
            )
        if name in ("pull", "sync"):
            p.add_argument(
                "--full", action="store_true", help="read every task instead of only those changed since the last pull"
            )
            p.add_argument(
                "--trust-markers",
                action="store_true",
                help="put annotations carrying a 'newslens:<annotator>' marker into that annotator's layer (gold, "
                "model:... included) even if this project's sync state did not push them; any Label Studio user "
                "can type a marker, so use this only with a server you trust",
            )
        if name == "status":
            p.add_argument("--offline", action="store_true", help="do not contact the server")
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run one ``toolkit ls`` sub-command; errors are ToolkitErrors with one-line messages."""
    from ..errors import ToolkitError
    from ..store import Project
    from .client import LSClient
    from .sync import pull, push, status

    proj = Project.open(args.project)
    cmd = args.ls_command
    if cmd == "status":
        client = None if args.offline else LSClient(args.url)
        info = status(proj, client, args.url)
        if args.json:
            print(json.dumps(info, indent=2, ensure_ascii=False))
        else:
            print(f"Label Studio {info['url']}: project {info['project_id']}")
            print(f"  documents {info['documents']}, pushed {info['pushed']}, not pushed {len(info['not_pushed'])}, "
                  f"changed since push {len(info['changed'])}")  # fmt: skip
            print(f"  last push {info['last_push']}, last pull {info['last_pull']}")
            for uid, name in info["annotators"].items():
                print(f"  LS user {uid} -> {name} ({info['pulled_records'].get(name, 0)} records pulled)")
            if "server" in info:
                s = info["server"]
                print(f"  server: {s['title']!r}, {s['tasks']} tasks, {s['annotations']} annotations")
            if "server_error" in info:
                print(f"  server: {info['server_error']}")
        return 0
    client = LSClient(args.url)
    if cmd in ("push", "sync"):
        if args.annotator and not args.annotations:
            raise ToolkitError("--annotator needs --annotations")
        res = push(proj, client, batch_size=args.batch_size, with_predictions=not args.no_predictions,
                   new_project=args.new_project, annotations=args.annotations, annotators=args.annotator)  # fmt: skip
        print(res.summary())
        for line in res.held_back[:50]:
            print("  " + line)
    if cmd in ("pull", "sync"):
        out = pull(proj, client, full=args.full, trust_markers=args.trust_markers)
        print(out.summary())
        for line in (*out.conflicts, *out.realigned, *out.problems)[:50]:
            print("  " + line)
        if out.problems:
            return 2
    return 0
