"""Landlord profiles: shipped facts match the policies; bad files fail naming file and field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from channels import registry
from channels.sms import door as sms_door
from channels.sms.config import landlord_for_number
from intake.engine.wording import MESSAGE_PLACEHOLDERS
from intake.errors import ConfigError
from intake.flow import check, load_flow, load_keywords
from intake.orgs import ORGS_DIR, load_profile, load_profiles
from intake.orgs.schema import contrast_ratio

MKCC_DATA = yaml.safe_load((ORGS_DIR / "mkcc.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def write_profile(directory: Path, stem: str, data: dict) -> Path:
    path = directory / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# --- the shipped profiles -------------------------------------------------------------


def test_both_shipped_profiles_load(profiles):
    assert sorted(profiles) == ["mkcc", "wchg"]
    assert {slug: p.slug for slug, p in profiles.items()} == {"mkcc": "mkcc", "wchg": "wchg"}


def test_the_default_profiles_are_loaded_once_and_shared():
    assert load_profiles()["mkcc"] is load_profiles()["mkcc"]


@pytest.mark.parametrize(
    "slug, strands",
    [
        pytest.param(
            "mkcc",
            ["race", "religion", "sexual_orientation", "disability", "transgender", "misogyny"],
            id="MKCC 4.1 and 4.2, misogyny and transgender included",
        ),
        pytest.param(
            "wchg",
            [
                "race",
                "religion_or_belief",
                "gender_identity",
                "disability",
                "age",
                "sexual_orientation",
                "alternative_subculture",
            ],
            id="WCHG 3.1.1, age and alternative sub-culture included",
        ),
    ],
)
def test_strands_follow_the_policy_definition_in_order(profiles, slug, strands):
    assert profiles[slug].strands == strands


@pytest.mark.parametrize(
    "slug, kind, hours, cadence",
    [
        pytest.param(
            "mkcc",
            "next_business_day_or_hours",
            24,
            10,
            id="MKCC 1 business day, every 10 working days",
        ),
        pytest.param("wchg", "hours", 24, None, id="WCHG 24 hours, no fixed cadence"),
    ],
)
def test_contact_deadlines_follow_the_policy(profiles, slug, kind, hours, cadence):
    profile = profiles[slug]
    assert (profile.first_contact.kind, profile.first_contact.hours) == (kind, hours)
    assert profile.contact_cadence_working_days == cadence


@pytest.mark.parametrize(
    "slug, names",
    [
        pytest.param(
            "mkcc",
            ["Thames Valley Police", "Thames Valley Police", "Crimestoppers", "Stop Hate UK", "Victim Support"],
            id="MKCC 4.2, the police non-emergency line (a safety line), 5.4",
        ),
        pytest.param(
            "wchg",
            ["Greater Manchester Police", "Greater Manchester Police", "Crimestoppers", "True Vision"],
            id="WCHG 999 (a safety line), 3.1.6",
        ),
    ],
)
def test_signposting_names_the_organisations_the_policy_names_in_its_order(profiles, slug, names):
    assert [s.name for s in profiles[slug].signposting] == names


@pytest.mark.parametrize(
    "slug, signpost_id, purpose, phone, web",
    [
        pytest.param(
            "mkcc",
            "crimestoppers",
            "anonymous",
            "0800 555 111",
            "https://www.crimestoppers-uk.org",
            id="MKCC Crimestoppers",
        ),
        pytest.param(
            "mkcc",
            "stop_hate_uk",
            "independent",
            None,
            "https://www.stophateuk.org",
            id="MKCC Stop Hate UK",
        ),
        pytest.param(
            "mkcc",
            "victim_support",
            "emotional_support",
            "08 08 16 89 111",
            "https://www.victimsupport.org.uk",
            id="MKCC Victim Support",
        ),
        pytest.param(
            "mkcc",
            "police_non_emergency",
            "police",
            "101",
            "https://www.thamesvalley.police.uk",
            id="MKCC police 101, not in the policy",
        ),
        pytest.param("wchg", "emergency", "emergency", "999", None, id="WCHG 999, not in the policy"),
        pytest.param("wchg", "police", "police", "101", "https://www.gmp.police.uk", id="WCHG police"),
        pytest.param(
            "wchg",
            "crimestoppers",
            "anonymous",
            "0800 555 111",
            "https://www.crimestoppers-uk.org",
            id="WCHG Crimestoppers",
        ),
        pytest.param(
            "wchg",
            "true_vision",
            "online_police",
            None,
            "https://www.report-it.org.uk",
            id="WCHG True Vision",
        ),
    ],
)
def test_each_signpost_carries_the_policy_number_and_site(profiles, slug, signpost_id, purpose, phone, web):
    signpost = {s.id: s for s in profiles[slug].signposting}[signpost_id]
    assert (signpost.purpose, signpost.phone, signpost.web) == (purpose, phone, web)


def test_wchg_covers_staff_contractors_and_non_tenants_harmed_by_its_residents(profiles):
    scope = profiles["wchg"].scope
    assert scope.covers_staff_and_contractors
    assert scope.covers_non_tenant_victims_of_our_residents
    assert scope.covers_visitors


@pytest.mark.parametrize(
    "slug, police, safeguarding, crime",
    [
        pytest.param("mkcc", False, True, True, id="MKCC encourages victims to call the police"),
        pytest.param("wchg", True, True, True, id="WCHG reports every hate crime to the police"),
    ],
)
def test_sharing_follows_the_policy(profiles, slug, police, safeguarding, crime):
    sharing = profiles[slug].sharing
    assert sharing.reports_hate_crime_to_police is police
    assert sharing.shares_without_consent_for_safeguarding is safeguarding
    assert sharing.shares_without_consent_where_crime is crime


def test_mkcc_reports_reach_the_asb_team_named_in_the_policy(profiles):
    mkcc = profiles["mkcc"]
    assert mkcc.contact.email == mkcc.notifications.team_email == "ASB@milton-keynes.gov.uk"
    assert mkcc.contact.phones == ["01908 691691"]


def test_wchg_has_no_team_email_until_a_deployment_sets_one(profiles):
    assert profiles["wchg"].notifications.team_email is None


# --- finding a landlord by the number a text was sent to ------------------------------


@pytest.mark.parametrize(
    "number, slug",
    [
        pytest.param("+447700900101", "mkcc", id="MKCC number"),
        pytest.param("+447700900202", "wchg", id="WCHG number"),
        pytest.param("+44 7700 900202", "wchg", id="spaces are ignored"),
        pytest.param("+447700900999", None, id="a number no landlord owns"),
    ],
)
def test_the_sms_door_finds_the_landlord_that_owns_the_number_a_text_was_sent_to(profiles, number, slug):
    assert landlord_for_number(sms_door.sections(profiles), number) == slug


# --- bad profiles fail loudly ---------------------------------------------------------


def _set(path: tuple, value):
    def edit(data: dict) -> None:
        *parents, last = path
        for key in parents:
            data = data[key]
        data[last] = value

    return edit


def _rename(path: tuple, new_key: str):
    def edit(data: dict) -> None:
        *parents, last = path
        for key in parents:
            data = data[key]
        data[new_key] = data.pop(last)

    return edit


BAD_PROFILES = [
    pytest.param(
        _set(("strands", 2), "rase"),
        "strands[2]",
        "'rase' is not a known strand",
        id="unknown strand id",
    ),
    pytest.param(
        _rename(("contact_cadence_working_days",), "contact_cadence_workng_days"),
        "contact_cadence_workng_days",
        "is not a field here; did you mean 'contact_cadence_working_days'?",
        id="misspelt top-level key",
    ),
    pytest.param(
        _rename(("signposting", 1, "web"), "website"),
        "signposting[1].website",
        "did you mean 'web'?",
        id="misspelt key inside a signpost",
    ),
    pytest.param(
        _set(("signposting", 0, "purpose"), "helpline"),
        "signposting[0].purpose",
        "'helpline' is not a known signpost purpose",
        id="unknown signpost purpose",
    ),
    pytest.param(
        _set(("signposting", 3, "id"), "crimestoppers"),
        "signposting",
        "'crimestoppers' is listed more than once",
        id="repeated signpost id",
    ),
    pytest.param(
        _set(("offers", 0), "free_locks"),
        "offers[0]",
        "'free_locks' is not a known offer",
        id="unknown offer",
    ),
    pytest.param(
        _set(("first_contact", "kind"), "days"),
        "first_contact.kind",
        "'days'",
        id="unknown deadline kind",
    ),
    pytest.param(
        _set(("contact_cadence_working_days",), "10"),
        "contact_cadence_working_days",
        "valid integer",
        id="cadence written as a string",
    ),
    pytest.param(
        _set(("timezone",), "Europe/Milton_Keynes"),
        "timezone",
        "is not an IANA time zone",
        id="unknown time zone",
    ),
    pytest.param(
        _set(("reference_prefix",), "mk"),
        "reference_prefix",
        "2 or 3 upper-case letters",
        id="lower-case reference prefix",
    ),
    pytest.param(
        _set(("brand", "colour"), "#f0c000"),
        "brand",
        "contrast 1.7",
        id="brand colour too light for white words",
    ),
    pytest.param(
        _set(("brand", "link_colour"), "teal"),
        "brand.link_colour",
        "a colour written #rrggbb",
        id="brand colour by name",
    ),
    pytest.param(
        _set(("action_kinds",), [{"id": "eviction_notice", "legal": True, "section": "6.1"}]),
        "action_kinds[0].id",
        "not a known action kind",
        id="action kind the vocabulary does not name",
    ),
    pytest.param(
        _set(("outcomes",), ["resolved", "resolved"]),
        "outcomes",
        "listed more than once",
        id="outcome listed twice",
    ),
    pytest.param(
        _set(("disclosure_exceptions",), [{"id": "because_i_said_so", "section": "9.1"}]),
        "disclosure_exceptions[0].id",
        "not a known disclosure exception",
        id="disclosure exception the policy does not give",
    ),
    pytest.param(
        _set(("scope", "covers_visitors"), None),
        "scope.covers_visitors",
        "valid boolean",
        id="scope flag left empty",
    ),
]


@pytest.mark.parametrize("edit, field, message", BAD_PROFILES)
def test_a_bad_profile_fails_naming_the_file_and_field(tmp_path, edit, field, message):
    data = copy.deepcopy(MKCC_DATA)
    edit(data)
    path = write_profile(tmp_path, "mkcc", data)

    with pytest.raises(ConfigError) as caught:
        load_profile(path)

    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{path}: {field}: ") and message in line for line in lines), str(caught.value)


def test_a_slug_that_differs_from_the_file_name_is_rejected(tmp_path):
    path = write_profile(tmp_path, "mkc", MKCC_DATA)

    with pytest.raises(ConfigError, match=r"mkc\.yaml: slug: 'mkcc' does not match the file name 'mkc'"):
        load_profile(path)


def test_a_key_written_twice_is_rejected_rather_than_the_last_one_winning(tmp_path):
    path = tmp_path / "mkcc.yaml"
    text = (ORGS_DIR / "mkcc.yaml").read_text(encoding="utf-8")
    path.write_text(text + "\nconversation_idle_minutes: 5\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"mkcc\.yaml: line \d+: 'conversation_idle_minutes' appears twice"):
        load_profile(path)


def test_a_file_that_is_not_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "mkcc.yaml"
    path.write_text("slug: mkcc\nstrands: [race\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"mkcc\.yaml: line \d+: "):
        load_profile(path)


BAD_DOOR_SECTIONS = [
    pytest.param(
        _set(("channels", "sms", "numbers", 0), "07700 900101"),
        "channels.sms.numbers[0]",
        "is not an E.164 number",
        id="SMS number not in E.164",
    ),
    pytest.param(
        _set(("channels", "sms", "numbers", 0), 447700900101),
        "channels.sms.numbers[0]",
        "valid string",
        id="SMS number left unquoted so YAML reads an int",
    ),
    pytest.param(
        _set(("channels", "whatsapp"), {"numbers": ["+447700900101"]}),
        "channels.whatsapp",
        "no door is named 'whatsapp'",
        id="a section for a door that does not exist",
    ),
    pytest.param(
        _set(("channels", "telegram", "bot_name"), "x"),
        "channels.telegram.bot_name",
        "Extra inputs are not permitted",
        id="a misspelt field in a door's section",
    ),
]


@pytest.mark.parametrize("edit, field, message", BAD_DOOR_SECTIONS)
def test_each_door_checks_its_own_section_of_a_profile_naming_the_file_and_field(tmp_path, edit, field, message):
    data = copy.deepcopy(MKCC_DATA)
    edit(data)
    write_profile(tmp_path, "mkcc", data)

    with pytest.raises(ConfigError) as caught:
        registry.check_profiles(registry.load_doors(), load_profiles(tmp_path))

    lines = str(caught.value).splitlines()
    assert any(f"mkcc.yaml: {field}" in line and message in line for line in lines), str(caught.value)


def test_two_landlords_cannot_share_an_sms_number(tmp_path):
    write_profile(tmp_path, "mkcc", MKCC_DATA)
    twin = copy.deepcopy(MKCC_DATA) | {"slug": "twin", "reference_prefix": "TW"}
    write_profile(tmp_path, "twin", twin)

    with pytest.raises(ConfigError, match=r"twin\.yaml: channels\.sms\.numbers\[0\]: '\+447700900101' is already used by .*mkcc"):
        registry.check_profiles(registry.load_doors(), load_profiles(tmp_path))


def test_a_profile_that_would_crash_a_conversation_stops_start_up_naming_the_file_and_field(tmp_path):
    """No anonymous reporting and no anonymous signpost: the identity question's hint would have nothing to name."""
    data = copy.deepcopy(MKCC_DATA)
    data["scope"]["anonymous_reporting"] = False
    data["signposting"] = [s for s in data["signposting"] if s["purpose"] != "anonymous"]
    write_profile(tmp_path, "mkcc", data)
    profiles = load_profiles(tmp_path)
    doors = registry.traits(registry.load_doors()).values()

    with pytest.raises(ConfigError) as caught:
        check.check(load_flow(), profiles, doors, load_keywords(), MESSAGE_PLACEHOLDERS)

    message = str(caught.value)
    assert "mkcc.yaml: signposting: needs a signpost with purpose 'anonymous'" in message
    assert "identity's hint uses %(signpost_anonymous)s" in message


def test_the_shipped_profiles_fill_every_placeholder_on_every_door(profiles):
    doors = registry.traits(registry.load_doors()).values()
    check.check(load_flow(), profiles, doors, load_keywords(), MESSAGE_PLACEHOLDERS)


def test_a_directory_without_profiles_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no landlord profiles"):
        load_profiles(tmp_path)


@pytest.mark.parametrize(
    "first, second, ratio",
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#1d70b8", "#ffffff", 5.17), ("#767676", "#ffffff", 4.54)],
    ids=["black on white", "white on white", "GOV.UK link blue", "the lightest grey that passes"],
)
def test_contrast_ratio_follows_wcag(first, second, ratio):
    assert round(contrast_ratio(first, second), 2) == ratio


@pytest.mark.parametrize("slug", ["mkcc", "wchg"])
def test_each_landlords_colours_read_white_text_at_wcag_aa(profiles, slug):
    brand = profiles[slug].brand
    assert contrast_ratio(brand.colour, "#ffffff") >= 4.5
    assert contrast_ratio(brand.link_colour, "#ffffff") >= 4.5
