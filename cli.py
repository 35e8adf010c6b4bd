"""The `intake` command: the composition root for everything that is not a web request.

It lives beside flask_app.py rather than inside intake/, because it wires the doors
(channels/) to the core, and the core never imports a door.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from collections.abc import Sequence

from sqlalchemy import select

from intake import cases
from intake.errors import ConfigError
from intake.runtime import core_senders, load_intake, work
from intake.settings import Settings
from intake.store import migrate
from intake.store.models import CaseRow


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Take reports of hate incidents through one pipeline.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the web app (and run the background worker beside it)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5000)
    run.add_argument("--no-worker", action="store_true", help="do not run the outbox worker in this process")
    run.add_argument("--threads", type=int, default=8)

    chat = commands.add_parser("chat", help="make a report in this terminal")
    chat.add_argument("--org", default=None, help="landlord profile slug (default: the first)")
    chat.add_argument("--lang", default=None, help="catalog code to start in, e.g. pl")
    chat.add_argument("--as", dest="who", default=None, help="who is chatting (default: your user name)")

    box = commands.add_parser("outbox", help="the outbound queue").add_subparsers(dest="action", required=True)
    box_work = box.add_parser("work", help="deliver queued messages and run housekeeping")
    box_work.add_argument("--once", action="store_true", help="one pass, then exit")

    case_cmd = commands.add_parser("cases", help="look at cases").add_subparsers(dest="action", required=True)
    case_list = case_cmd.add_parser("list")
    case_list.add_argument("--org", default=None)
    case_list.add_argument("--json", action="store_true", help="print only a JSON array")
    case_show = case_cmd.add_parser("show")
    case_show.add_argument("reference")
    case_show.add_argument("--json", action="store_true", help="print only a JSON object")

    telegram = commands.add_parser("telegram", help="a landlord's Telegram bot").add_subparsers(dest="action", required=True)
    for action, about in (
        ("set-webhook", "register this deployment's webhook and command menus"),
        ("poll", "take updates by polling"),
    ):
        telegram.add_parser(action, help=about).add_argument("--org", required=True)

    db = commands.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply every migration")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        settings = Settings.from_env()
        intake = load_intake(settings)
    except ConfigError as error:
        print(f"intake: configuration error: {error}", file=sys.stderr)
        return 2
    handler = {"run": _run, "chat": _chat, "outbox": _outbox, "cases": _cases, "db": _db, "telegram": _telegram}[args.command]
    return handler(args, settings, intake)


def _db(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    migrate.upgrade(intake.store.engine)
    print(f"intake: database is up to date ({intake.store.engine.url.render_as_string(hide_password=True)})", file=sys.stderr)
    return 0


def _senders(settings: Settings) -> dict:
    from channels.registry import door_senders

    return {**core_senders(settings), **door_senders(settings)}


def _outbox(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    delivered = work(intake, _senders(settings), once=args.once)
    print(f"intake: delivered {delivered} message(s)", file=sys.stderr)
    return 0


def _telegram(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    from channels.telegram import admin, configs

    config = configs(settings).get(args.org)
    if config is None:
        print(f"intake: no Telegram bot for {args.org!r}: set TELEGRAM_BOT_TOKEN_{args.org.upper()}", file=sys.stderr)
        return 2
    if args.action == "set-webhook":
        print(f"intake: Telegram will post {args.org}'s updates to {admin.set_webhook(settings, config)}", file=sys.stderr)
        return 0
    migrate.upgrade(intake.store.engine)
    print(f"intake: polling Telegram for {args.org} (Ctrl-C to stop)", file=sys.stderr)
    admin.run_polling(settings, intake, config)
    return 0


def _chat(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    from channels.console import chat

    org = args.org or next(iter(intake.profiles))
    if org not in intake.profiles:
        print(f"intake: no landlord profile {org!r}; known: {', '.join(intake.profiles)}", file=sys.stderr)
        return 2
    migrate.upgrade(intake.store.engine)
    chat(intake, secret=settings.secret_key, org=org, language=args.lang, who=args.who, out=sys.stdout)
    return 0


def _cases(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    with intake.store.transaction() as session:
        if args.action == "show":
            case = cases.find_case(session, args.reference)
            if case is None:
                print(f"intake: no case {args.reference}", file=sys.stderr)
                return 1
            data = cases.case_json(case, detail=True)
            print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else _describe(data))
            return 0
        query = select(CaseRow).order_by(CaseRow.created_at.desc())
        if args.org:
            query = query.where(CaseRow.org == args.org)
        rows = [cases.case_json(c) for c in session.scalars(query)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for data in rows:
            print(
                f"{data['reference']}  {data['status']:<12} {data['risk_level']:<8} due {data['first_contact_due']}  {data['channel']}"
            )
    return 0


def _describe(data: dict) -> str:
    return "\n".join(f"{key}: {value}" for key, value in data.items() if key not in ("answers", "timeline", "contact"))


def _run(args, settings, intake) -> int:  # type: ignore[no-untyped-def]
    from waitress import serve

    from channels.registry import describe_doors
    from flask_app import create_app

    migrate.upgrade(intake.store.engine)
    for line in describe_doors(settings):
        print(f"intake: {line}", file=sys.stderr)
    stop = threading.Event()
    if not args.no_worker:
        worker = threading.Thread(
            target=work, args=(intake, _senders(settings)), kwargs={"stop": stop}, daemon=True, name="outbox-worker"
        )
        worker.start()
        print("intake: outbox worker running in this process", file=sys.stderr)
    print(f"intake: serving on http://{args.host}:{args.port}", file=sys.stderr)
    try:
        serve(create_app(), host=args.host, port=args.port, threads=args.threads, ident="intake")
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
