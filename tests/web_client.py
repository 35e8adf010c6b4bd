"""A reporter using the web form through Flask's test client: reads each page's form, sends it back."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient

_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


class WebReporter:
    """Follows the pages the way a browser would: the cookie, the CSRF token and the form id travel with each answer."""

    def __init__(self, client: FlaskClient, org: str = "mkcc"):
        self.client, self.org = client, org
        self.url = f"/report/{org}/"
        self.response = client.get(self.url)

    @property
    def page(self) -> str:
        return self.response.get_data(as_text=True)

    @property
    def status(self) -> int:
        return self.response.status_code

    def hidden(self, name: str) -> str:
        # The main form's fields: the Back form's id ends in "-back".
        values = [v for n, v in _HIDDEN.findall(self.page) if n == name and not v.endswith("-back")]
        return html.unescape(values[-1]) if values else ""

    @property
    def question(self) -> str:
        return self.hidden("question")

    @property
    def heading(self) -> str:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", self.page, re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""

    def post(self, data: dict[str, Any], **kwargs: Any):
        fields = {"csrf_token": self.hidden("csrf_token"), "form_id": self.hidden("form_id"), **data}
        if "question" not in data and self.question:
            fields["question"] = self.question
        if self.hidden("change"):
            fields.setdefault("change", self.hidden("change"))
        self.response = self.client.post(self.url, data=fields, **kwargs)
        return self.response

    def start(self):
        return self.post({"action": "start"})

    def answer(self, value: Any, **extra: Any):
        return self.post({"action": "answer", "answer": value, **extra})

    def skip(self):
        return self.post({"action": "skip"})

    def send(self):
        return self.post({"action": "send"})

    def get(self, path: str | None = None):
        self.response = self.client.get(path or self.url)
        return self.response

    def report(self, answers: dict[str, Any], until: str | None = None, limit: int = 60):
        """Answer whatever page is shown, by question id (option ids, or words), until `until` or the report is sent.

        A question the answers do not name is skipped; check-your-answers is `summary`.
        """
        for _ in range(limit):
            if self.heading == "Check your answers":
                if until == "summary":
                    return self.response
                self.send()
                continue
            question = self.question
            if not question or question == until:
                return self.response
            value = answers.get(question)
            self.answer(value) if value is not None else self.skip()
            assert self.status == 200, self.page[:3000]
        raise AssertionError(f"the form never reached {until or 'its end'}")


# An anonymous victim from the first question to check-your-answers, by question id.
ANONYMOUS_VICTIM: dict[str, Any] = {
    "danger_now": "no",
    "role": "victim",
    "identity": "anonymous",
    "scope": "yes",
    "description": "They shouted abuse at me and wrote on my door",
    "confirm_suggested": "yes",  # verbal abuse and graffiti, read from it: so no incident types question
    "when": "last night",
    "where": "Saxon Gate, MK9 3EJ",
    "motivation": ["race"],
    "perpetrator": "A man from the next block",
    "risk_incident": ["threats_violence", "perpetrator_nearby"],
    "risk_impact": ["worried_worse"],
    "consent": "yes",
}
