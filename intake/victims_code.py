"""The Victims Code message a reporter gets the moment their report is made, and the signposting in it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from intake import sla
from intake.conversation import Conversation
from intake.flow import Vocabulary, load_vocabulary
from intake.i18n import Translator
from intake.messages import OutboundMessage
from intake.orgs.schema import Profile, Signpost


def deadline_rule(profile: Profile) -> sla.DeadlineRule:
    return sla.DeadlineRule(kind=profile.first_contact.kind, hours=profile.first_contact.hours, timezone=profile.timezone)


def deadline_for(profile: Profile, conversation: Conversation) -> datetime:
    """The first-contact deadline of the case a conversation opened (the clock starts when it opened)."""
    if not conversation.case_opened_at:
        raise ValueError("the conversation has opened no case")
    return sla.first_contact_due(datetime.fromisoformat(conversation.case_opened_at), deadline_rule(profile))


def page_url(public_url: str, profile: Profile, language: str) -> str:
    return f"{public_url.rstrip('/')}/victims-code/{profile.slug}?lang={language}"


def when(moment: datetime, profile: Profile, t: Translator) -> str:
    """A deadline as the reporter reads it: their language, the landlord's clock."""
    local = moment.astimezone(ZoneInfo(profile.timezone))
    return t(
        "%(date)s at %(time)s",
        date=format_date(local.date(), format="full", locale=t.locale),
        time=format_time(local.time(), format="short", locale=t.locale),
    )


def messages(
    *,
    profile: Profile,
    t: Translator,
    reference: str,
    first_contact_due: datetime,
    identity: str,
    public_url: str,
    signposts: bool = True,
) -> list[OutboundMessage]:
    """What happens next and by when, where to read the commitments, and who else can help (unless `signposts` is off:
    the chat already gave the list).

    `identity` is how the reporter answered the identity question: named_here or
    named_other, anonymous, or not_said (skipped, or never understood), which is not
    anonymity and is never called so.
    """
    if identity == "anonymous":
        next_steps = t(
            "You chose to stay anonymous, so we cannot contact you. If you contact %(org)s about this, give your reference %(reference)s.",
            org=profile.name,
            reference=reference,
        )
    elif identity not in ("named_here", "named_other"):
        next_steps = t(
            "You did not give your name, so we cannot contact you. If you contact %(org)s about this, give your reference %(reference)s.",
            org=profile.name,
            reference=reference,
        )
    else:
        next_steps = t(
            "A specialist case officer from %(org)s will contact you by %(deadline)s.",
            org=profile.name,
            deadline=when(first_contact_due, profile, t),
        )
        if profile.contact_cadence_working_days:
            next_steps += " " + t.plural(
                "After that, we will contact you at least every %(num)d working day.",
                "After that, we will contact you at least every %(num)d working days.",
                profile.contact_cadence_working_days,
            )
    url = page_url(public_url, profile, t.code)
    if profile.victims_code.kind == "own_code":
        read = t("Read %(org)s's Victims Code: %(url)s", org=profile.name, url=url)
    else:
        read = t("Read what %(org)s promises you: %(url)s", org=profile.name, url=url)
    said = [OutboundMessage(next_steps, kind="victims_code"), OutboundMessage(read, kind="victims_code")]
    if signposts:
        lines = [t("You can also get help from:"), *signpost_lines(profile, t)]
        said.append(OutboundMessage("\n".join(lines), kind="victims_code"))
    return said


def signpost_lines(profile: Profile, t: Translator, vocabulary: Vocabulary | None = None) -> list[str]:
    """One line per organisation the landlord's policy points reporters to, in its order."""
    vocabulary = vocabulary or load_vocabulary()
    lines = []
    for signpost in profile.signposting:
        purpose = t(vocabulary.signpost_purposes[signpost.purpose])
        lines.append(t("%(purpose)s: %(contact)s", purpose=purpose, contact=signpost_contact(signpost)))
    return lines


def signpost_contact(signpost: Signpost) -> str:
    """'Crimestoppers 0800 555 111, www.crimestoppers-uk.org': a proper name and how to reach it."""
    details = ", ".join(d for d in (signpost.phone, _bare(signpost.web)) if d)
    return f"{signpost.name} {details}"


def _bare(url: str | None) -> str | None:
    # Shorter in a text message, and still what people type.
    return url.removeprefix("https://").removeprefix("http://") if url else None


def first_contact_words(profile: Profile, t: Translator) -> str:
    hours = t.plural("%(num)d hour", "%(num)d hours", profile.first_contact.hours)
    if profile.first_contact.kind == "next_business_day_or_hours":
        return t("%(hours)s (1 business day)", hours=hours)
    return hours


def cadence_words(profile: Profile, t: Translator) -> str:
    days = profile.contact_cadence_working_days
    if not days:
        return t("as often as your case needs")
    return t.plural("at least every %(num)d working day", "at least every %(num)d working days", days)


def commitment_lines(profile: Profile, t: Translator, vocabulary: Vocabulary | None = None) -> list[str]:
    """The landlord's commitments to a reporter, then how to ask for a review or complain."""
    vocabulary = vocabulary or load_vocabulary()
    params = {"org": profile.name, "first_contact": first_contact_words(profile, t), "cadence": cadence_words(profile, t)}
    lines = [t(vocabulary.commitments[c], **params) for c in profile.victims_code.commitments]
    for route in profile.case_review:
        if route.statutory:
            lines.append(t("You have the legal right to ask for an ASB Case Review, through %(run_by)s.", run_by=route.run_by))
        else:
            lines.append(
                t(
                    "If your case does not meet the threshold for an ASB Case Review, you can ask for an informal case review by the %(run_by)s.",
                    run_by=route.run_by,
                )
            )
    if profile.complaints:
        lines.append(
            t(
                "You can complain to %(run_by)s if you are unhappy with how your case was handled.",
                run_by=profile.complaints.run_by,
            )
        )
    return lines
