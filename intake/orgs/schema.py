"""The shape of a landlord profile: the facts one landlord's hate policy gives, and nothing else.

A profile holds ids, numbers, addresses and flags. Anything a reporter reads as a
sentence lives in intake/flow/vocabulary.yaml and the translation catalogs, keyed by
the ids chosen here, so every id a profile names is checked against that vocabulary.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from intake import datafiles

VOCABULARY_PATH = Path(__file__).parent.parent / "flow" / "vocabulary.yaml"

_UK_PHONE = re.compile(r"^\d[\d ]*\d$")  # as printed for people to dial: "0800 555 111", "101"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")  # a catalog directory name: "en", "pl", "pt_BR"


@cache
def vocabulary_ids() -> dict[str, frozenset[str]]:
    """Return the ids each vocabulary section offers, keyed by section name."""
    # Read here rather than through intake.flow so the flow can import profiles
    # without a circular import; only the ids matter, not the wording.
    data = datafiles.read(VOCABULARY_PATH)
    return {section: frozenset(words) for section, words in data.items()}


def _known(section: str, noun: str):
    def check(value: str) -> str:
        known = vocabulary_ids()[section]
        if value not in known:
            raise ValueError(
                f"{value!r} is not a known {noun} in intake/flow/vocabulary.yaml (known: {', '.join(sorted(known))})"
            )
        return value

    return check


def _pattern(regex: re.Pattern[str], what: str):
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


def _unique(values: list) -> list:
    seen: set = set()
    repeated = [v for v in values if v in seen or seen.add(v)]
    if repeated:
        raise ValueError(f"{repeated[0]!r} is listed more than once")
    return values


StrandId = Annotated[str, AfterValidator(_known("strands", "strand"))]
IncidentTypeId = Annotated[str, AfterValidator(_known("incident_types", "incident type"))]
OfferId = Annotated[str, AfterValidator(_known("offers", "offer"))]
PurposeId = Annotated[str, AfterValidator(_known("signpost_purposes", "signpost purpose"))]
FormatId = Annotated[str, AfterValidator(_known("accessible_formats", "accessible format"))]
CommitmentId = Annotated[str, AfterValidator(_known("commitments", "commitment"))]
ActionKindId = Annotated[str, AfterValidator(_known("action_kinds", "action kind"))]
OutcomeId = Annotated[str, AfterValidator(_known("outcomes", "outcome"))]
ExceptionId = Annotated[str, AfterValidator(_known("disclosure_exceptions", "disclosure exception"))]
Id = Annotated[str, AfterValidator(_pattern(_ID, "an id (lower_case_with_underscores)"))]
Phone = Annotated[str, AfterValidator(_pattern(_UK_PHONE, "a phone number of digits and spaces"))]
Email = Annotated[str, AfterValidator(_pattern(_EMAIL, "an email address"))]


def _https(value: str) -> str:
    # Kept with the scheme so a page can link it as it stands; the policies print
    # most addresses without one.
    if not value.startswith("https://") or " " in value:
        raise ValueError(f"{value!r} is not an https:// address")
    return value


Url = Annotated[str, AfterValidator(_https)]


class _Fact(BaseModel):
    # strict: a quoted "10" or an unquoted +44 number (YAML reads it as an int) is a
    # mistake in the file, not something to coerce quietly.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Scope(_Fact):
    homes: Id
    covers_visitors: bool
    covers_non_tenant_victims_of_our_residents: bool
    covers_staff_and_contractors: bool
    third_party_reporting: bool
    anonymous_reporting: bool


class FirstContact(_Fact):
    kind: Literal["next_business_day_or_hours", "hours"]
    hours: int = Field(default=24, gt=0)


class Signpost(_Fact):
    id: Id
    name: str = Field(min_length=1)
    purpose: PurposeId
    phone: Phone | None = None
    web: Url | None = None
    hours: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Signpost:
        if self.phone is None and self.web is None:
            raise ValueError("a signpost needs a phone number or a web address")
        return self


class Sharing(_Fact):
    reports_hate_crime_to_police: bool
    shares_without_consent_for_safeguarding: bool
    shares_without_consent_where_crime: bool
    partner_agencies: Annotated[list[str], AfterValidator(_unique)]
    legal_basis: str | None = None


class ReviewRoute(_Fact):
    id: Id
    run_by: str = Field(min_length=1)
    statutory: bool
    web: Url | None = None


class Complaints(_Fact):
    run_by: str = Field(min_length=1)
    web: Url | None = None


class ContactPoints(_Fact):
    phones: Annotated[list[Phone], AfterValidator(_unique)]
    email: Email | None = None
    post: str | None = None
    in_person: bool


class VictimsCode(_Fact):
    kind: Literal["own_code", "commitments"]
    commitments: Annotated[list[CommitmentId], AfterValidator(_unique)]
    document_url: Url | None = None


_HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
# WCAG 2.2 AA: 4.5:1 for text (white words on the brand band), 3:1 for other marks (the band against the page).
TEXT_CONTRAST, MARK_CONTRAST = 4.5, 3.0


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2's contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


HexColour = Annotated[str, AfterValidator(_pattern(_HEX_COLOUR, "a colour written #rrggbb in lower case"))]


class Brand(_Fact):
    """The landlord's colours on its report pages; the words on them are white, on a white page."""

    colour: HexColour  # the band behind the service name, and the line under it
    link_colour: HexColour  # links on the white page

    @model_validator(mode="after")
    def _readable(self) -> Brand:
        for name, value, needed in (("colour", self.colour, TEXT_CONTRAST), ("link_colour", self.link_colour, TEXT_CONTRAST)):
            ratio = contrast_ratio(value, "#ffffff")
            if ratio < needed:
                raise ValueError(f"{name} {value} has contrast {ratio:.2f}:1 with white; WCAG 2.2 AA needs {needed}:1")
        return self


class ActionKind(_Fact):
    """A kind of action-plan item; `legal` marks court or tenancy action, which the returns count apart."""

    id: ActionKindId
    legal: bool
    section: str = Field(min_length=1)  # where the policy names it ("§7.3"), or "not in the policy"


class Recipient(_Fact):
    """Someone a case officer may refer a case or disclose information to."""

    id: Id
    name: str = Field(min_length=1)
    section: str = Field(min_length=1)


class DisclosureException(_Fact):
    """A ground the policy gives for sharing without the reporter's consent."""

    id: ExceptionId
    section: str = Field(min_length=1)


DEFAULT_OUTCOMES = ["resolved", "not_resolved", "withdrawn", "no_further_action"]


def _unique_ids(items: list) -> list:
    _unique([item.id for item in items])
    return items


class ContactWindow(_Fact):
    """When a reporter who ticked "daytime" or "evening" may be written to, local time."""

    start: Annotated[str, AfterValidator(_pattern(re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), "a time such as 09:00"))]
    end: Annotated[str, AfterValidator(_pattern(re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), "a time such as 17:00"))]

    @model_validator(mode="after")
    def _ordered(self) -> ContactWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start on the same day")
        return self


class Notifications(_Fact):
    team_email: Email | None = None


# Every figure a landlord's returns may hold (intake.returns computes them; a profile lists its own).
FIGURE_IDS = (
    "responded_in_time",
    "contacted_regularly",
    "victims_code_told",
    "resolved",
    "satisfied_outcome",
    "satisfied_handling",
    "new_cases",
    "new_cases_by_type",
    "new_cases_by_district",
    "time_to_resolve_by_type",
    "legal_actions",
    "non_legal_actions",
    "equality",
    "nm01_contribution",
)


class ReturnFigure(_Fact):
    """A figure the landlord's policy promises to report, where it says so, and its target if it sets one (a percentage)."""

    id: Literal[FIGURE_IDS]  # type: ignore[valid-type]
    policy_ref: str = Field(min_length=1)  # "§9.2", or "not in the policy"
    target: Annotated[float, Field(ge=0, le=100)] | None = None


class Survey(_Fact):
    """The satisfaction survey after closure: sent `after_days` after it, one reminder `reminder_days` later."""

    after_days: int = Field(gt=0)
    reminder_days: int = Field(gt=0)
    # The policy's limit from closure, if it sets one (MKCC §9.4 "within 6 weeks"): the reminder must fall inside it.
    within_days: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _inside_the_limit(self) -> Survey:
        if self.within_days is not None and self.after_days + self.reminder_days > self.within_days:
            raise ValueError(f"after_days + reminder_days must be at most within_days ({self.within_days})")
        return self


class Returns(_Fact):
    """What the landlord reports of this service, to whom, how often."""

    every: Literal["quarter", "year"]
    to: str = Field(min_length=1)
    figures: Annotated[list[ReturnFigure], Field(min_length=1), AfterValidator(_unique_ids)]


class Profile(_Fact):
    slug: Annotated[str, AfterValidator(_pattern(_ID, "a slug (lower_case_with_underscores)"))]
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    reference_prefix: Annotated[str, AfterValidator(_pattern(re.compile(r"^[A-Z]{2,3}$"), "2 or 3 upper-case letters"))]
    default_language: Annotated[str, AfterValidator(_pattern(_LANGUAGE, "a catalog code such as en or pt_BR"))] = "en"
    timezone: str = "Europe/London"
    scope: Scope
    strands: Annotated[list[StrandId], Field(min_length=1), AfterValidator(_unique)]
    incident_types: Annotated[list[IncidentTypeId], Field(min_length=1), AfterValidator(_unique)]
    first_contact: FirstContact
    contact_cadence_working_days: Annotated[int, Field(gt=0)] | None
    conversation_idle_minutes: int = Field(gt=0)
    signposting: list[Signpost]
    sharing: Sharing
    case_review: list[ReviewRoute]
    complaints: Complaints | None
    offers: Annotated[list[OfferId], AfterValidator(_unique)]
    accessible_formats: Annotated[list[FormatId], AfterValidator(_unique)]
    contact: ContactPoints
    # One section per door, each checked by its door at start-up (channels/base.py).
    channels: dict[Id, Any] = Field(default_factory=dict)
    victims_code: VictimsCode
    notifications: Notifications
    brand: Brand
    # The console's lists: what a plan may hold, whom a case may go to, why without consent, how it ends.
    action_kinds: Annotated[list[ActionKind], Field(min_length=1), AfterValidator(_unique_ids)]
    referral_recipients: Annotated[list[Recipient], Field(min_length=1), AfterValidator(_unique_ids)]
    disclosure_exceptions: Annotated[list[DisclosureException], AfterValidator(_unique_ids)]
    outcomes: Annotated[list[OutcomeId], Field(min_length=1), AfterValidator(_unique)] = Field(
        default_factory=lambda: list(DEFAULT_OUTCOMES)
    )
    returns: Returns
    survey: Survey
    # Neither policy gives it: the landlord's own count of homes, for the NM01 contribution per 1,000 homes.
    homes_count: Annotated[int, Field(gt=0)] | None = None
    # Neither policy says when "daytime" and "evening" are: a service setting, marked so in each profile.
    safe_contact_windows: dict[Literal["daytime", "evening"], ContactWindow] = Field(
        default_factory=lambda: {
            "daytime": ContactWindow(start="09:00", end="17:00"),
            "evening": ContactWindow(start="17:00", end="21:00"),
        }
    )
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        return value

    @field_validator("signposting")
    @classmethod
    def _unique_signposts(cls, signposts: list[Signpost]) -> list[Signpost]:
        _unique([s.id for s in signposts])
        return signposts

    @field_validator("case_review")
    @classmethod
    def _unique_reviews(cls, routes: list[ReviewRoute]) -> list[ReviewRoute]:
        _unique([r.id for r in routes])
        return routes
