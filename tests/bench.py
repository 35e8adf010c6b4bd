"""`make bench`: how fast one message goes through the pipeline, as ratios to baselines from the same run.

Figures are medians over whole anonymous reports on a real SQLite file (WAL), one core.
Baselines: a bare SQLite transaction (insert one row, commit) for the pipeline, and a
JSON round-trip of the conversation state for the pure engine.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from intake import nlp
from intake.conversation import Conversation
from intake.engine import advance, read
from intake.messages import InboundMessage
from intake.orgs import load_profiles
from intake.pipeline import Intake, handle
from intake.store import migrate
from intake.store.db import Store
from tests.harness import ANONYMOUS_VICTIM, DOORS, EngineChat, engine_context, suite_keys, walk

REPORTS = 40


def texts_of_a_report(profiles) -> list[str]:
    """What an anonymous victim on SMS types, message by message, from "hello" to SEND."""
    chat, sent = EngineChat(profiles["mkcc"]), ["hello"]
    walk(lambda text: sent.append(text) or chat.send(text), chat.send("hello"), ANONYMOUS_VICTIM)
    return sent


def _timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def bench_pipeline(store: Store, profiles, texts: list[str]) -> tuple[list[float], list[float]]:
    intake = Intake(store=store, profiles=profiles, public_url="https://report.example.org", team_emails={}, doors=DOORS)
    per_message: list[float] = []
    for report in range(REPORTS):
        for index, body in enumerate(texts):
            inbound = InboundMessage(
                org="mkcc",
                channel="sms",
                sender_key=f"bench-{report}",
                text=body,
                provider_id=f"bench-{report}-{index}",
                received_at=datetime.now(UTC),
            )
            start = time.perf_counter()
            handle(intake, inbound)
            per_message.append(time.perf_counter() - start)
    with store.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY, body TEXT)"))

    def bare_transaction() -> None:
        with store.transaction() as session:
            session.execute(text("INSERT INTO bench_baseline (body) VALUES (:b)"), {"b": "x" * 200})

    return per_message, _timed(bare_transaction, len(per_message))


def bench_engine(profiles, texts: list[str]) -> tuple[list[float], list[float]]:
    context = engine_context(profiles["mkcc"], "sms")
    per_message, baseline = [], []
    for _ in range(REPORTS):
        conversation = Conversation(org="mkcc", channel="sms")
        for body in texts:
            inbound = InboundMessage(org="mkcc", channel="sms", sender_key="bench", text=body)
            start = time.perf_counter()
            understood = read(conversation, inbound, nlp.analyse(body, "en"), context)
            conversation = advance(conversation, inbound, understood, context).conversation
            per_message.append(time.perf_counter() - start)
            start = time.perf_counter()
            Conversation.from_json(json.loads(json.dumps(conversation.to_json())))
            baseline.append(time.perf_counter() - start)
    return per_message, baseline


def _ms(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] * 1000 if q < 100 else max(samples) * 1000


def report(name: str, samples: list[float], baseline: list[float], baseline_name: str) -> None:
    median, base = statistics.median(samples), statistics.median(baseline)
    print(
        f"{name}: {1 / median:8.0f} msg/s  p50 {median * 1000:6.2f} ms  p99 {_ms(samples, 99):6.2f} ms"
        f"  = {median / base:5.1f}x {baseline_name} ({base * 1000:.3f} ms)"
    )


def main() -> None:
    profiles = load_profiles()
    nlp.analyse("warm up", "en")
    texts = texts_of_a_report(profiles)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.db'}", keys=suite_keys())
        migrate.upgrade(store.engine)
        pipeline, bare = bench_pipeline(store, profiles, texts)
        store.dispose()
    engine, roundtrip = bench_engine(profiles, texts)
    print(f"{REPORTS} anonymous SMS reports, {len(texts)} messages each, SQLite file in WAL mode, one process")
    report("pipeline.handle", pipeline, bare, "a bare SQLite transaction")
    report("engine.advance ", engine, roundtrip, "a JSON round-trip of the state")


if __name__ == "__main__":
    main()
