"""The registration flow (DESIGN.md §3, "Registration"), declared as data; see registration.mmd."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from conversations import cities
from conversations.engine import Answers, Choice, Flow, Kind, Step
from conversations.i18n import __

ROLE = "role"
NAME = "name"
BIRTH_YEAR = "birth_year"
CITY = "city"
CITY_OTHER = "city_other"
SHARE_CHANNELS = "share_channels"
PHONE = "phone"
EMAIL = "email"
EDUCATION = "education"
EDUCATION_FIELD = "education_field"
WORK_EXPERIENCE = "work_experience"
LINE_OF_WORK = "line_of_work"
LINE_OF_WORK_OTHER = "line_of_work_other"
LANGUAGES = "languages"
GOALS = "goals"
GOALS_TEXT = "goals_text"
OFFERS = "offers"
MEETINGS_PER_MONTH = "meetings_per_month"
WISHES = "wishes"

ROLES = (
    Choice("mentee", __("I am looking for a mentor")),
    Choice("mentor", __("I want to be a mentor")),
)
CHANNELS = (
    Choice("telegram", __("Telegram")),
    Choice("phone", __("Phone")),
    Choice("email", __("E-mail")),
)
EDUCATIONS = (
    Choice("none", __("No formal education")),
    Choice("primary", __("Primary school")),
    Choice("secondary", __("Secondary school")),
    Choice("vocational", __("Vocational training")),
    Choice("bachelor", __("Bachelor's degree or similar")),
    Choice("master", __("Master's degree or higher")),
)
EXPERIENCE = (
    Choice("none", __("None yet")),
    Choice("lt2", __("Less than 2 years")),
    Choice("2to5", __("2 to 5 years")),
    Choice("5to10", __("5 to 10 years")),
    Choice("gt10", __("More than 10 years")),
)
LINES_OF_WORK = (
    Choice("health", __("Health and care")),
    Choice("education", __("Teaching and education")),
    Choice("it", __("IT and technology")),
    Choice("engineering", __("Engineering")),
    Choice("business", __("Business, finance and office work")),
    Choice("public", __("Public administration")),
    Choice("law", __("Law")),
    Choice("social", __("Social work")),
    Choice("science", __("Science and research")),
    Choice("culture", __("Arts, culture and media")),
    Choice("service", __("Hotels, shops and service")),
    Choice("crafts", __("Crafts and production")),
    Choice("other", __("Other")),
)
SPOKEN = (
    Choice("da", __("Danish")),
    Choice("en", __("English")),
    Choice("ar", __("Arabic")),
    Choice("fa", __("Persian or Dari")),
    Choice("uk", __("Ukrainian")),
    Choice("ru", __("Russian")),
    Choice("tr", __("Turkish")),
    Choice("so", __("Somali")),
    Choice("ku", __("Kurdish")),
    Choice("ti", __("Tigrinya")),
    Choice("ur", __("Urdu")),
    Choice("fr", __("French")),
    Choice("de", __("German")),
    Choice("es", __("Spanish")),
    Choice("other", __("Another language")),
)
MENTEE_GOALS = (
    Choice("job", __("Find a job in my field")),
    Choice("education", __("Start or finish an education")),
    Choice("language", __("Speak the language better")),
    Choice("network", __("Build a professional network")),
    Choice("society", __("Understand society and work culture")),
    Choice("business", __("Start my own business")),
    Choice("confidence", __("Believe more in myself")),
)
MENTOR_OFFERS = (
    Choice("network", __("My professional network")),
    Choice("jobsearch", __("Help with job applications and interviews")),
    Choice("workplace", __("How workplaces work here")),
    Choice("education", __("Advice on education")),
    Choice("language", __("Practising the language")),
    Choice("society", __("How society works")),
    Choice("business", __("Starting a business")),
)
MEETINGS = (
    Choice("1", __("Once a month")),
    Choice("2", __("Twice a month")),
    Choice("4", __("Every week")),
)


ANOTHER_PLACE = __("Another place")


def city_choices(answers: Answers) -> Sequence[Choice]:
    """The network's cities, each named in her language, then "another place"."""
    return (
        *(Choice(c.code, c.names["en"], c.names) for c in cities.network()),
        Choice(cities.OTHER, ANOTHER_PLACE),
    )


def _is(role: str) -> Callable[[Answers], bool]:
    """A step's condition: she registers in this role."""
    return lambda answers: answers.get(ROLE) == role


FLOW = Flow(
    name="registration",
    prefix="reg",
    steps=(
        Step(
            ROLE,
            __("Are you looking for a mentor, or would you like to be one?"),
            Kind.CHOICE,
            __("Role"),
            ROLES,
            columns=1,
        ),
        Step(
            NAME,
            __("What is your name? Write it as you would like your match to see it."),
            Kind.TEXT,
            __("Name"),
            min=2,
            max=80,
        ),
        Step(
            BIRTH_YEAR,
            __("In which year were you born? This helps when someone wishes for a match of a certain age."),
            Kind.NUMBER,
            __("Year of birth"),
            optional=True,
            min=1920,
            max=2012,
        ),
        Step(
            CITY,
            __("In which city or region do you live? Choose it, or write its name."),
            Kind.CHOICE,
            __("City or region"),
            city_choices,
            columns=3,
            typed_other=CITY_OTHER,
            recognise=cities.code_for,
        ),
        Step(
            CITY_OTHER,
            __("Please write the name of your city or region."),
            Kind.TEXT,
            __("Place, in your words"),
            min=2,
            max=80,
            when=lambda a: a.get(CITY) == cities.OTHER,
        ),
        Step(
            SHARE_CHANNELS,
            __(
                "How may your future match contact you? We share only what you tick here, and only "
                "with the person you are matched with."
            ),
            Kind.MULTI,
            __("Contact to share"),
            CHANNELS,
            min=1,
            max=3,
            columns=3,
        ),
        Step(
            PHONE,
            __("What is your phone number?"),
            Kind.PHONE,
            __("Phone"),
            when=lambda a: "phone" in (a.get(SHARE_CHANNELS) or []),
        ),
        Step(
            EMAIL,
            __("What is your e-mail address?"),
            Kind.EMAIL,
            __("E-mail"),
            when=lambda a: "email" in (a.get(SHARE_CHANNELS) or []),
        ),
        Step(
            EDUCATION,
            __("What is the highest education you have finished, here or in another country?"),
            Kind.CHOICE,
            __("Education"),
            EDUCATIONS,
            columns=1,
        ),
        Step(
            EDUCATION_FIELD,
            __("What did you study or train in? For example nursing, accounting or law."),
            Kind.TEXT,
            __("Field of education"),
            optional=True,
            min=2,
            max=200,
        ),
        Step(
            WORK_EXPERIENCE,
            __("How many years of work experience do you have?"),
            Kind.CHOICE,
            __("Work experience"),
            EXPERIENCE,
        ),
        Step(
            LINE_OF_WORK,
            __("Which line of work is yours, or the one you want to work in?"),
            Kind.CHOICE,
            __("Line of work"),
            LINES_OF_WORK,
        ),
        Step(
            LINE_OF_WORK_OTHER,
            __('You chose "Other": what is your line of work?'),
            Kind.TEXT,
            __("Line of work, in your words"),
            optional=True,
            min=2,
            max=200,
            when=lambda a: a.get(LINE_OF_WORK) == "other",
        ),
        Step(
            LANGUAGES,
            __("Which languages do you speak?"),
            Kind.MULTI,
            __("Languages"),
            SPOKEN,
            min=1,
            max=8,
            columns=3,
        ),
        Step(
            GOALS,
            __("What would you most like a mentor to help you with?"),
            Kind.MULTI,
            __("Goals"),
            MENTEE_GOALS,
            min=1,
            max=3,
            columns=1,
            when=_is("mentee"),
        ),
        Step(
            GOALS_TEXT,
            __("In your own words: what would you like to achieve in the coming year?"),
            Kind.TEXT,
            __("Goals in your words"),
            optional=True,
            min=2,
            max=1000,
            when=_is("mentee"),
        ),
        Step(
            OFFERS,
            __("What could you offer a mentee?"),
            Kind.MULTI,
            __("What you can offer"),
            MENTOR_OFFERS,
            min=1,
            max=7,
            columns=1,
            when=_is("mentor"),
        ),
        Step(
            MEETINGS_PER_MONTH,
            __("How often can you meet your match?"),
            Kind.CHOICE,
            __("Meetings"),
            MEETINGS,
            columns=1,
        ),
        Step(
            WISHES,
            __(
                "Do you have wishes about your match? For example her age, children, interests or where "
                "she lives."
            ),
            Kind.TEXT,
            __("Wishes about your match"),
            optional=True,
            min=2,
            max=1000,
        ),
    ),
)


# Changing answers after registration: the same questions and checks, opened on the menu of
# answers. The role is not offered: it decides the whole programme (a coordinator who must
# change it withdraws the person, who registers again).
EDIT_FLOW = replace(
    FLOW, name="profile_edit", prefix="pe", editing=True, confirm=False, fixed=frozenset({ROLE})
)
PERSON_EDIT_FLOW = replace(EDIT_FLOW, name="person_edit", prefix="pce")


def answers_of(person: Any) -> dict[str, Any]:
    """A person's stored answers as the flow holds them (every question that applies to her)."""
    stored = {field: getattr(person, field, None) for field in (s.field for s in FLOW.steps)}
    stored[MEETINGS_PER_MONTH] = str(person.meetings_per_month) if person.meetings_per_month else None
    return {s.field: stored[s.field] for s in FLOW.applicable(stored)}


def store(person: Any, answers: Answers) -> list[str]:
    """Put confirmed answers on a person; questions that no longer apply are emptied.

    Returns the fields whose value changed. A phone number she no longer shares, or the words
    for a place now on the list, is not kept: we keep only what the answers ask for.
    """
    changed = []
    applicable = {s.field for s in FLOW.applicable(answers)}
    for step in FLOW.steps:
        value: Any = answers.get(step.field) if step.field in applicable else None
        if step.field == MEETINGS_PER_MONTH:
            value = int(value) if value else None
        elif step.kind is Kind.MULTI:
            value = list(value or [])
        if getattr(person, step.field) != value:
            setattr(person, step.field, value)
            changed.append(step.field)
    return changed
