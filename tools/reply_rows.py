"""Write tests/data/nlp/train/replies/<lang>.yaml: the short replies a conversation is mostly made of, as training negatives.

    .venv/bin/python tools/reply_rows.py

The classifier learned danger and motive from accounts of incidents, and so found a plain
"yes" or "2" as alarming as an empty message. These rows teach it what a reply is: each
catalog's own words for the flow's short answers, and numbers, lists, postcodes and dates,
none of them danger, a motive or an incident. Run again after the catalogs change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ar", "bn", "en", "es", "fa", "gu", "pa", "pa_Arab", "pl", "pt", "ro", "so", "uk", "ur")
ANSWERS = ("Yes", "No", "I am not sure", "Stay anonymous", "Ask me first", "Family member", "Friend or neighbour",
           "Support worker or carer", "None for now", "None of these", "Something else", "They live nearby",
           "Skip this question", "Done", "Continue")  # fmt: skip
EVERYWHERE = ("1", "2", "3", "4", "5", "6", "1 3", "2, 4", "1 2 5", "3 4 7", "MK9 3EJ", "M22 5RQ", "mk6 1ab", "12/11",
              "3/12/2026", "2026-11-30", "ok", "OK", "yes", "no", "skip",
              # A first message, and the keywords every door knows: a greeting or HELP is not a plea.
              "hello", "hi", "hi there", "hiya", "hey", "good morning", "hello I want to report something", "report",
              "salam", "salaam", "assalamu alaikum", "namaste", "sat sri akal", "hola", "ola", "oi", "czesc",
              "dzien dobry", "buna", "salut", "pryvit", "marhaba", "ahlan", "nomoshkar", "kem cho", "iska warran",
              "help", "HELP", "back", "BACK", "stop", "STOP", "start", "exit", "EXIT", "new", "language", "status")  # fmt: skip


def main() -> int:
    folder = ROOT / "tests" / "data" / "nlp" / "train" / "replies"
    folder.mkdir(exist_ok=True)
    for lang in LANGUAGES:
        with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po)
        own = [catalog.get(a).string or a for a in ANSWERS if catalog.get(a)]
        texts = list(dict.fromkeys([*own, *(t.lower() for t in own), *EVERYWHERE]))
        lines = [
            f"- {{id: rp-{lang}-{i:03d}, text: {json.dumps(text, ensure_ascii=False)}, danger: false, strands: [], types: []}}"
            for i, text in enumerate(texts, 1)
        ]
        (folder / f"{lang}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
