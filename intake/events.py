"""What the engine says happened, for the pipeline to record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseOpened:
    reference: str


@dataclass(frozen=True)
class ReportSubmitted:
    reference: str


@dataclass(frozen=True)
class VictimsCodeSent:
    reference: str


@dataclass(frozen=True)
class FurtherInformation:
    reference: str
    text: str


@dataclass(frozen=True)
class DangerSignalled:
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ConversationEnded:
    reason: str  # stopped | exited | expired


@dataclass(frozen=True)
class NewReportStarted:
    previous_reference: str | None


@dataclass(frozen=True)
class ReportResumed:
    """START carried on a report stopped within the idle limit; `reference` is the case it had opened, if any."""

    reference: str | None


@dataclass(frozen=True)
class LanguageChanged:
    language: str


@dataclass(frozen=True)
class FilesRefused:
    """Files that came with a message were not kept; `reasons` as in messages.FILE_REFUSALS."""

    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OptedOut:
    """The reporter asked for no more messages (STOP and every opt-out word)."""


@dataclass(frozen=True)
class OptedIn:
    """The reporter sent START after stopping."""


Event = (
    CaseOpened
    | ReportSubmitted
    | VictimsCodeSent
    | FurtherInformation
    | DangerSignalled
    | ConversationEnded
    | NewReportStarted
    | ReportResumed
    | LanguageChanged
    | FilesRefused
    | OptedOut
    | OptedIn
)
