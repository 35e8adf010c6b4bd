"""The `intake` command as a user runs it: real subprocesses, a real SQLite file under INTAKE_INSTANCE_PATH."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import select
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from intake.orgs import load_profiles

pytestmark = pytest.mark.slow

INTAKE = str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "intake")
REFERENCE = re.compile(r"\bMK-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}\b")
DESCRIPTION = "Someone scratched a slur into my car door outside block C"
SECRET = "cli-test-secret"
# An anonymous victim on the console door, by question, to "Send my report".
REPORT = {
    "danger_now": "no",
    "role": "victim",
    "identity": "anonymous",
    "scope": "yes",
    "description": DESCRIPTION,
    "confirm_suggested": "no",  # whatever was read from it: the reporter answers the questions
    "when": "yesterday",
    "where": "MK9 3EJ",
    "motivation": ["race"],
    "incident_types": ["verbal_abuse", "damage"],
    "perpetrator": "no idea",
    "risk_incident": ["threats_violence", "perpetrator_nearby"],
    "risk_impact": ["worried_worse"],
    "consent": "yes",
}
DOCUMENTED_KEYS = {
    "reference",
    "org",
    "channel",
    "status",
    "created_at",
    "reporter_role",
    "anonymous",
    "language",
    "strands",
    "incident_types",
    "risk_level",
    "risk_reasons",
    "first_contact_due",
    "victims_code_sent_at",
    "work_status",
    "outcome",
}
TIMEOUT = 30


def environment(instance: Path) -> dict[str, str]:
    """This machine's environment with none of our settings, then only the instance folder and a fixed key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "TWILIO_", "TELEGRAM_"))}
    env.update(INTAKE_INSTANCE_PATH=str(instance), INTAKE_SECRET_KEY=SECRET)
    return env


def intake(instance: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [INTAKE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(instance),
        cwd=instance,
        timeout=TIMEOUT,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def is_iso_with_offset(value: str) -> bool:
    moment = datetime.fromisoformat(value)
    return moment.tzinfo is not None and moment.utcoffset() is not None and re.search(r"([+-]\d\d:\d\d|Z)$", value) is not None


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> tuple[Path, str, str]:
    """A fresh instance with one whole report made through `intake chat`: (instance, reference, chat output)."""
    instance = tmp_path_factory.mktemp("instance")
    intake(instance, "db", "upgrade")
    terminal = Terminal(instance)
    try:
        shown = terminal.read_prompt() + terminal.answer(REPORT)
        shown += terminal.say("1")  # Send my report
    finally:
        assert terminal.finish() == 0
    [reference] = set(REFERENCE.findall(shown))
    return instance, reference, shown


def test_db_upgrade_creates_the_database_and_can_run_again(tmp_path):
    first = intake(tmp_path, "db", "upgrade")
    again = intake(tmp_path, "db", "upgrade")
    assert (tmp_path / "intake.db").exists()
    assert first.stdout == again.stdout == ""
    assert "up to date" in again.stderr


def test_a_report_made_in_the_terminal_ends_with_the_reference_and_the_victims_code(reported):
    _, reference, output = reported
    assert f"Your reference is {reference}." in output
    assert "You chose to stay anonymous" in output
    assert "/victims-code/mkcc?lang=en" in output


def test_cases_list_json_prints_only_a_json_array_of_documented_cases(reported):
    instance, reference, _ = reported

    listed = json.loads(intake(instance, "cases", "list", "--json").stdout)

    assert isinstance(listed, list)
    [case] = listed
    assert set(case) >= DOCUMENTED_KEYS
    assert case["reference"] == reference
    assert (case["org"], case["channel"], case["status"], case["language"]) == ("mkcc", "console", "submitted", "en")
    assert (case["reporter_role"], case["anonymous"]) == ("victim", True)
    assert case["strands"] == ["race"]
    assert case["incident_types"] == ["verbal_abuse", "damage"]
    assert case["risk_level"] == "high"
    assert {"threats_violence", "perpetrator_nearby"} <= set(case["risk_reasons"])
    for key in ("created_at", "first_contact_due", "victims_code_sent_at"):
        assert is_iso_with_offset(case[key]), (key, case[key])
    assert datetime.fromisoformat(case["first_contact_due"]) > datetime.fromisoformat(case["created_at"])
    assert DESCRIPTION not in json.dumps(listed)  # the list carries ids, never the report


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--org", "mkcc"], id="for the landlord that has it"),
        pytest.param(["--org", "wchg"], id="for a landlord with no cases"),
    ],
)
def test_cases_list_json_filters_by_landlord(reported, args):
    instance, reference, _ = reported
    listed = json.loads(intake(instance, "cases", "list", *args, "--json").stdout)
    assert [c["reference"] for c in listed] == ([reference] if "mkcc" in args else [])


def test_cases_show_json_prints_one_case_with_its_answers_and_timeline(reported):
    instance, reference, _ = reported

    shown = json.loads(intake(instance, "cases", "show", reference.lower(), "--json").stdout)

    assert isinstance(shown, dict)
    assert shown["reference"] == reference
    assert shown["answers"]["description"]["value"] == DESCRIPTION
    assert shown["contact"] is None
    assert [e["kind"] for e in shown["timeline"]] == ["opened", "submitted", "victims_code_sent"]
    assert all(is_iso_with_offset(e["at"]) for e in shown["timeline"])


def test_cases_show_an_unknown_reference_fails_and_prints_nothing_on_stdout(reported):
    instance, _, _ = reported
    result = intake(instance, "cases", "show", "MK-ZZZZZZ", "--json", check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "MK-ZZZZZZ" in result.stderr


def test_outbox_work_once_writes_the_team_notices_to_the_mail_folder(reported):
    instance, reference, _ = reported

    result = intake(instance, "outbox", "work", "--once")
    again = intake(instance, "outbox", "work", "--once")

    assert "delivered 2 message(s)" in result.stderr
    assert "delivered 0 message(s)" in again.stderr
    written = sorted((instance / "mail").glob("*.eml"))
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in written]
    assert [m["To"] for m in messages] == ["ASB@milton-keynes.gov.uk"] * 2
    assert {m["X-Case-Reference"] for m in messages} == {reference}
    assert sorted(m["X-Case-Risk"] for m in messages) == ["high", "standard"]
    assert any(m["Subject"].strip().startswith("HIGH RISK: ") for m in messages)
    for path in written:
        assert DESCRIPTION not in path.read_text() and "slur" not in path.read_text()


# --- a chat that is killed and started again -------------------------------------------------------


class Terminal:
    """`intake chat` in a subprocess, driven one prompt at a time."""

    def __init__(self, instance: Path):
        self.instance, self.said = instance, []
        self.stderr = open(instance / "chat-stderr.log", "ab")  # noqa: SIM115 - closed by kill() or finish()
        self.process = subprocess.Popen(
            [INTAKE, "chat", "--org", "mkcc", "--as", "tester"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=environment(instance),
            cwd=instance,
        )

    def read_prompt(self) -> str:
        """Everything printed up to the next "> " prompt."""
        received = b""
        fd = self.process.stdout.fileno()
        while not received.endswith(b"> "):
            ready, _, _ = select.select([fd], [], [], TIMEOUT)
            assert ready, f"no prompt within {TIMEOUT}s; got {received!r}"
            chunk = os.read(fd, 65536)
            assert chunk, f"chat ended before prompting; got {received!r}"
            received += chunk
        return received.decode()

    def say(self, text: str) -> str:
        self.said.append(text)
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()
        return self.read_prompt()

    def asked(self):  # type: ignore[no-untyped-def]
        """The question on screen, read from the database the chat writes, as a door reopening it would."""
        from intake.pipeline import Intake, current_replies
        from intake.privacy import sender_key
        from intake.store.crypto import DataKeys, local_key
        from intake.store.db import Store
        from tests.harness import DOORS, asked

        # The chat ran on SQLite with no INTAKE_DATA_KEYS: it made the instance's own key.
        store = Store(f"sqlite:///{self.instance / 'intake.db'}", keys=DataKeys([local_key(self.instance, create=False)], SECRET))
        try:
            core = Intake(store=store, profiles=load_profiles(), public_url="http://127.0.0.1:5000", team_emails={}, doors=DOORS)
            return asked(current_replies(core, "mkcc", "console", sender_key(SECRET, "console", "mkcc:tester")) or [])
        finally:
            store.dispose()

    def answer(self, answers: dict, until: str | None = None) -> str:
        """Answer by question id whatever is asked, until `until` or the summary; everything shown on the way."""
        from tests.harness import typed, wanted

        shown = ""
        while (question := self.asked()) is not None and question.id not in (until, "summary"):
            shown += self.say(typed(question, wanted(question, answers)))
        return shown

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=TIMEOUT)
        self.stderr.close()

    def finish(self) -> int:
        self.process.stdin.close()
        code = self.process.wait(timeout=TIMEOUT)
        self.process.stdout.close()
        self.stderr.close()
        return code


def test_a_chat_killed_mid_report_carries_on_from_the_same_question_with_every_answer_kept(tmp_path):
    intake(tmp_path, "db", "upgrade")
    first = Terminal(tmp_path)
    try:
        assert "Is anyone in danger right now?" in first.read_prompt()
        asked = first.answer(REPORT, until="where")
        assert asked.rstrip("> \n").endswith("Where did it happen? Give the address, street, estate or postcode.")
    finally:
        first.kill()
    assert first.process.returncode == -signal.SIGKILL

    second = Terminal(tmp_path)
    try:
        reopened = second.read_prompt()
        assert "Where did it happen?" in reopened
        assert "Is anyone in danger" not in reopened and "This is Milton Keynes" not in reopened
        summary = second.answer(REPORT)
        assert f"What happened: {DESCRIPTION}" in summary
        assert "When: yesterday" in summary
        sent = second.say("1")  # Send my report
    finally:
        assert second.finish() == 0
    [reference] = set(REFERENCE.findall(sent))
    typed = dict(zip([*first.said, *second.said], [*first.said, *second.said], strict=True))

    shown = json.loads(intake(tmp_path, "cases", "show", reference, "--json").stdout)
    assert shown["status"] == "submitted"
    kept = {qid: answer["raw"] for qid, answer in shown["answers"].items()}
    # Every answer typed, in either terminal, is on the case as it was typed.
    assert set(REPORT) - {"confirm_suggested"} <= set(kept)
    assert kept["description"] == DESCRIPTION and kept["where"] == "MK9 3EJ" and kept["when"] == "yesterday"
    assert all(raw in typed for raw in kept.values() if raw is not None)
    assert len(json.loads(intake(tmp_path, "cases", "list", "--json").stdout)) == 1


def test_staff_accounts_are_added_listed_and_disabled_from_the_command_line(tmp_path):
    intake(tmp_path, "db", "upgrade")
    added = intake(tmp_path, "staff", "add", "--org", "mkcc", "--email", "Olu@MKCC.example", "--name", "Olu Officer",
                   "--role", "officer", "--password-stdin", "--json", stdin="a long enough password\n")  # fmt: skip
    assert json.loads(added.stdout) == {"email": "olu@mkcc.example", "org": "mkcc", "name": "Olu Officer", "role": "officer",
                                        "enrolment": "pending"}  # fmt: skip

    elsewhere = intake(tmp_path, "staff", "add", "--org", "wchg", "--email", "olu@mkcc.example", "--name", "Olu", "--role",
                       "admin", "--password-stdin", stdin="another long password\n", check=False)  # fmt: skip
    short = intake(tmp_path, "staff", "add", "--org", "mkcc", "--email", "new@mkcc.example", "--name", "New", "--role",
                   "officer", "--password-stdin", stdin="short\n", check=False)  # fmt: skip
    assert elsewhere.returncode == 1 and short.returncode == 1 and "12" in short.stderr
    assert "a long enough password" not in added.stdout + added.stderr

    intake(tmp_path, "staff", "disable", "olu@mkcc.example")
    listed = json.loads(intake(tmp_path, "staff", "list", "--org", "mkcc", "--json").stdout)
    assert listed == [{"email": "olu@mkcc.example", "org": "mkcc", "name": "Olu Officer", "role": "officer", "disabled": True,
                       "locked_until": None}]  # fmt: skip
    assert json.loads(intake(tmp_path, "staff", "list", "--org", "wchg", "--json").stdout) == []


# What a terminal would obey: C0 and C1 controls (CR, ESC, BEL, CSI) and bidirectional overrides, but not line breaks.
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# Sets the terminal's title, clears the screen, writes a fake line over the real one, starts a CSI, reverses the text.
HOSTILE = "Graffiti on my door\x1b]0;pwned\x07\x1b[2J\x1b[1;1H\rstatus: closed\x9b31m \u202eesrever"


def test_cases_show_prints_a_reporters_escape_sequences_as_text_and_never_as_controls(tmp_path):
    from intake.runtime import load_intake
    from intake.settings import Settings
    from tests.harness import ANONYMOUS_VICTIM, DOORS, PipelineChat

    intake(tmp_path, "db", "upgrade")
    core = load_intake(Settings.from_env(environment(tmp_path)), DOORS)
    PipelineChat(core, channel="sms").report({**ANONYMOUS_VICTIM, "description": HOSTILE})
    core.store.dispose()
    listed = intake(tmp_path, "cases", "list", "--json").stdout
    [case] = json.loads(listed)

    shown = intake(tmp_path, "cases", "show", case["reference"]).stdout
    as_json = intake(tmp_path, "cases", "show", case["reference"], "--json").stdout
    for printed in (listed, shown, as_json, intake(tmp_path, "cases", "list").stdout):
        assert not CONTROLS.search(printed), repr(printed)
    assert "Graffiti on my door\\x1b]0;pwned\\x07\\x1b[2J\\x1b[1;1H\\rstatus: closed\\x9b31m \\u202eesrever" in shown
    assert "\nstatus: submitted\n" in f"\n{shown}" and "\nstatus: closed" not in shown
    # The JSON is escaped in JSON's own way: a reader gets the reporter's words back exactly.
    assert json.loads(as_json)["answers"]["description"]["value"] == HOSTILE


def test_staff_commands_print_a_name_with_escape_sequences_as_text(tmp_path):
    intake(tmp_path, "db", "upgrade")
    name = "Olu\x1b[2J\x1b]0;pwned\x07 Officer"
    intake(tmp_path, "staff", "add", "--org", "mkcc", "--email", "olu@mkcc.example", "--name", name, "--role", "officer",
           "--password-stdin", stdin="a long enough password\n")  # fmt: skip
    listed = intake(tmp_path, "staff", "list", "--org", "mkcc").stdout
    as_json = intake(tmp_path, "staff", "list", "--org", "mkcc", "--json").stdout
    assert not CONTROLS.search(listed + as_json)
    assert "Olu\\x1b[2J\\x1b]0;pwned\\x07 Officer" in listed and json.loads(as_json)[0]["name"] == name
