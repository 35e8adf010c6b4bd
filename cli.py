"""The `intake` command: the composition root for everything that is not a web request.

It lives beside flask_app.py rather than inside intake/, because it wires the doors
(channels/) to the core, and the core never imports a door.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from channels import ops, pages, registry
from channels.base import Door
from intake import cases, logs, nlp, terminal
from intake.errors import ConfigError
from intake.runtime import work
from intake.settings import Settings
from intake.store import crypto, migrate, rotation
from intake.store.models import CaseRow


def _parser(doors: list[Door]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Take reports of hate incidents through one pipeline.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="serve the web app (and run the background worker beside it)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5000)
    run.add_argument("--no-worker", action="store_true", help="do not run the outbox worker in this process")
    run.add_argument("--threads", type=int, default=8)

    box = commands.add_parser("outbox", help="the outbound queue").add_subparsers(dest="action", required=True)
    box_work = box.add_parser("work", help="deliver queued messages on every door and run housekeeping")
    box_work.add_argument("--once", action="store_true", help="one pass, then exit")

    case_cmd = commands.add_parser("cases", help="look at cases").add_subparsers(dest="action", required=True)
    case_list = case_cmd.add_parser("list")
    case_list.add_argument("--org", default=None)
    case_list.add_argument("--json", action="store_true", help="print only a JSON array")
    case_show = case_cmd.add_parser("show")
    case_show.add_argument("reference")
    case_show.add_argument("--json", action="store_true", help="print only a JSON object")

    keys = commands.add_parser("keys", help="the data keys (INTAKE_DATA_KEYS)").add_subparsers(dest="action", required=True)
    keys.add_parser("new", help="print a fresh random key, to put first in INTAKE_DATA_KEYS")
    keys_rotate = keys.add_parser("rotate", help="re-encrypt every stored value and file under the first key, while serving")
    keys_rotate.add_argument("--batch", type=int, default=rotation.BATCH, help="rows per transaction")

    staff_cmd = commands.add_parser("staff", help="case officers' accounts").add_subparsers(dest="action", required=True)
    staff_add = staff_cmd.add_parser("add", help="add an account; it sets up its authenticator at first sign-in")
    staff_add.add_argument("--org", required=True)
    staff_add.add_argument("--email", required=True)
    staff_add.add_argument("--name", required=True)
    staff_add.add_argument("--role", required=True, choices=["officer", "team_leader", "admin"])
    staff_add.add_argument("--password-stdin", action="store_true", required=True, help="read the password from standard input")
    staff_add.add_argument("--json", action="store_true")
    staff_list = staff_cmd.add_parser("list")
    staff_list.add_argument("--org", required=True)
    staff_list.add_argument("--json", action="store_true")
    staff_disable = staff_cmd.add_parser("disable")
    staff_disable.add_argument("email")

    report = commands.add_parser("report", help="a landlord's returns: the figures its policy promises")
    kinds = report.add_subparsers(dest="action", required=True)
    for name, flag, example in (("quarterly", "--quarter", "2026/27-Q3"), ("annual", "--year", "2026/27"), ("range", None, None)):
        kind = kinds.add_parser(name)
        kind.add_argument("--org", required=True)
        if flag:
            kind.add_argument(flag, required=True, help=f"of the UK financial year, e.g. {example}")
        else:
            kind.add_argument("--from", dest="first", required=True, help="a London date, YYYY-MM-DD, included")
            kind.add_argument("--to", dest="last", required=True, help="a London date, YYYY-MM-DD, included")
        output = kind.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="JSON, counts under 5 shown as <5")
        output.add_argument("--csv", action="store_true", help="CSV, one row per figure, counts under 5 shown as <5")

    db = commands.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply every migration")
    for door in doors:
        door.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, doors: Iterable[str] = registry.DOORS) -> int:
    logs.configure(sys.stderr)
    try:
        found = registry.load_doors(doors)
        args = _parser(found).parse_args(argv)
        if args.command == "keys" and args.action == "new":
            _say(crypto.new_key())  # needs no settings: it is how a deployment gets its first key
            return 0
        settings = Settings.from_env()
        assembly = registry.assemble(settings, doors)
    except ConfigError as error:
        _say(f"intake: configuration error: {error}", err=True)
        return 2
    door = assembly.door(getattr(args, "door", "") or "")
    if door is not None:
        return door.run_command(args, settings, assembly.intake)
    handler = {"run": _run, "outbox": _outbox, "cases": _cases, "db": _db, "keys": _keys, "staff": _staff,
               "report": _report}[args.command]  # fmt: skip
    return handler(args, settings, assembly)


def _db(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    engine = assembly.intake.store.engine
    migrate.upgrade(engine)
    _say(f"intake: database is up to date ({engine.url.render_as_string(hide_password=True)})", err=True)
    return 0


def _keys(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    store = assembly.intake.store
    _say(f"intake: re-encrypting under the first of {store.keys.count} data key(s), {args.batch} rows a transaction",
          err=True)  # fmt: skip
    done = rotation.rotate(store, settings.uploads_dir, batch=args.batch)
    for line in done.lines():
        _say(f"intake: {line}", err=True)
    if done.left:
        _say(f"intake: {done.left} value(s) were busy on every pass and are still under an older key: run it again",
              err=True)  # fmt: skip
        return 1
    _say(f"intake: {done.rotated} re-encrypted; every value is under the first key", err=True)
    return 0


def _outbox(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    nlp.warm()
    delivered = work(assembly.intake, assembly.senders(settings), once=args.once, recheck_seconds=settings.outbox_recheck_seconds)
    _say(f"intake: delivered {delivered} message(s)", err=True)
    return 0


def _cases(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    with assembly.intake.store.transaction() as session:
        if args.action == "show":
            case = cases.find_case(session, args.reference)
            if case is None:
                _say(f"intake: no case {_shown(args.reference)}", err=True)
                return 1
            data = cases.case_json(case, detail=True)
            _say(terminal.dumps(data, indent=2) if args.json else _describe(data))
            return 0
        query = select(CaseRow).order_by(CaseRow.created_at.desc())
        if args.org:
            query = query.where(CaseRow.org == args.org)
        rows = [cases.case_json(c) for c in session.scalars(query)]
    if args.json:
        _say(terminal.dumps(rows, indent=2))
    else:
        for data in rows:
            data = {key: _shown(value) for key, value in data.items()}
            _say(
                f"{data['reference']}  {data['status']:<12} {data['risk_level']:<8} due {data['first_contact_due']}  {data['channel']}"
            )
    return 0


def _report(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from intake import audit, reporting, returns

    intake = assembly.intake
    profile = intake.profiles.get(args.org)
    if profile is None:
        _say(f"intake: no landlord {_shown(args.org)} (known: {', '.join(sorted(intake.profiles))})", err=True)
        return 2
    try:
        if args.action == "quarterly":
            period = returns.quarter(args.quarter)
        elif args.action == "annual":
            period = returns.financial_year(args.year)
        else:
            period = returns.date_range(args.first, args.last)
    except ValueError as error:
        _say(f"intake: {error}", err=True)
        return 2
    built = reporting.build(intake.store, profile, period)
    if args.json or args.csv:
        with intake.store.transaction() as session:
            audit.record(session, org=profile.slug, action="exported", at=datetime.now(UTC), address="cli",
                         report=args.action, first=period.first.isoformat(), last=period.last.isoformat())  # fmt: skip
    _say(built.as_json() if args.json else built.as_csv().rstrip("\n") if args.csv else built.as_table())
    return 0


def _describe(data: dict) -> str:
    return "\n".join(f"{key}: {_shown(value)}" for key, value in data.items() if key not in ("answers", "timeline", "contact"))


def _shown(value: object) -> str:
    """One value on one line, whatever it holds: a reporter's line break or escape sequence is shown, not obeyed."""
    return terminal.escape(str(value))


def _say(text: str = "", *, err: bool = False) -> None:
    """Print a message, with any control character in it shown as an escape (each line break we wrote stays one)."""
    print(terminal.escape(text, keep_newlines=True), file=sys.stderr if err else sys.stdout)


def _staff(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from intake import audit
    from staff import accounts

    intake = assembly.intake
    at = datetime.now(UTC)
    if getattr(args, "org", None) and args.org not in intake.profiles:
        _say(f"intake: no landlord {args.org!r} (known: {', '.join(sorted(intake.profiles))})", err=True)
        return 2
    try:
        with intake.store.transaction() as session:
            if args.action == "add":
                password = sys.stdin.readline().rstrip("\r\n")
                account = accounts.add(
                    session, org=args.org, email=args.email, name=args.name, role=args.role, password=password, at=at
                )
                audit.record(session, org=args.org, action="account_added", at=at, address="cli", target=account.id)
                shown = {
                    k: v for k, v in accounts.describe(account).items() if k in ("email", "org", "name", "role", "enrolment")
                }
                _say(terminal.dumps(shown) if args.json else f"intake: added {_shown(account.email)} ({account.role})")
            elif args.action == "list":
                rows = [
                    {k: v for k, v in accounts.describe(a).items() if k != "enrolment"}
                    for a in accounts.listed(session, args.org)
                ]
                if args.json:
                    _say(terminal.dumps(rows, indent=2))
                else:
                    for row in rows:
                        state = "disabled" if row["disabled"] else "active"
                        _say(f"{_shown(row['email'])}  {row['role']:<12} {state}  {_shown(row['name'])}")
            else:
                account = accounts.find(session, args.email)
                if account is None:
                    _say("intake: no account with that email", err=True)
                    return 1
                accounts.disable(session, account, at)
                audit.record(session, org=account.org, action="account_disabled", at=at, address="cli", target=account.id)
                _say(f"intake: {_shown(account.email)} can no longer sign in", err=True)
    except accounts.AccountError as error:
        _say(f"intake: {error}", err=True)
        return 1
    return 0


def _run(args, settings, assembly) -> int:  # type: ignore[no-untyped-def]
    from waitress import serve

    from flask_app import create_app

    intake = assembly.intake
    migrate.upgrade(intake.store.engine)
    nlp.warm()  # before taking traffic: the first message in each language is as fast as the rest
    for line in [*ops.describe(settings), *pages.describe(settings), *assembly.describe(settings)]:
        _say(f"intake: {line}", err=True)
    app = create_app()
    stop = threading.Event()
    if not args.no_worker:
        # The app's own core, so a reply its requests queue wakes this worker at once.
        serving = app.extensions["assembly"]
        worker = threading.Thread(
            target=work,
            args=(serving.intake, serving.senders(settings)),
            kwargs={"stop": stop, "recheck_seconds": settings.outbox_recheck_seconds},
            daemon=True,
            name="outbox-worker",
        )
        worker.start()
        _say("intake: outbox worker running in this process, for every door", err=True)
    _say(f"intake: serving on http://{args.host}:{args.port}", err=True)
    try:
        serve(app, host=args.host, port=args.port, threads=args.threads, ident="intake")
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
