"""Longer texts and names shown in several places: the privacy notices, roles and statuses."""

from __future__ import annotations

from conversations.i18n import LANGUAGES, Translator, __

ROLE_NAMES = {"mentee": __("mentee"), "mentor": __("mentor")}

STATUS_NAMES = {
    "registered": __("registered, waiting to be invited to an interview"),
    "awaiting_interview": __("invited to an interview"),
    "ready_to_be_matched": __("ready to be matched"),
    "in_relationship": __("in a mentor relationship"),
    "network_participant": __("network participant"),
    "withdrawn": __("withdrawn"),
}

WELCOME = __(
    "Welcome to the Mentor Network! 👋\n\n"
    "Here women who are new in the country meet women who know its working life well. A mentor and a "
    "mentee meet about once a month for a year, as equals, to work on the mentee's goals: a job, an "
    "education, a network, the language.\n\n"
    "Registering takes about five minutes. First, a short note on how we look after what you tell us."
)

COORDINATOR_WELCOME = __(
    "Welcome, coordinator! 👋\n\n"
    "You will be told here about every new registration. /queue lists the people waiting to be invited, "
    "/help everything you can do. To try the registration as a participant sees it, send /start mentee."
)

PRIVACY_SHORT = __(
    "🔒 Your information\n\n"
    "• We ask about your education, work, languages and goals so that a coordinator can find a good match "
    "for you.\n"
    "• Only the coordinators of {organisation} see your answers. Your match sees your name and only the "
    "contact details you choose to share.\n"
    "• You can see everything we keep about you with /profile, and ask us to correct or delete it at any "
    "time.\n"
    "• Until you agree, we keep nothing but your Telegram number and your language.\n\n"
    "Do you agree that we keep your answers for this purpose?"
)

PRIVACY_FULL = __(
    "Privacy notice of {organisation}\n\n"
    "Who we are. {organisation} runs this mentor network and is responsible for your data.\n\n"
    "What we keep. Your Telegram number and language; after you agree, your answers to the registration "
    "questions (name, year of birth if you give it, city or region, the contact details you choose to share, "
    "education, work experience, line of work, languages, goals or what you can offer, how often you can "
    "meet and your wishes about a match), the date of your consent, and your status in the programme.\n\n"
    "Why. To invite you to an interview, to find you a match, and to follow your match during its year. "
    "The legal basis is your consent, which you can withdraw at any time.\n\n"
    "Who sees it. The coordinators of the network. When you are matched, your match sees your name and the "
    "contact details you agreed to share, nothing else. We never sell or publish your data.\n\n"
    "How long. While you take part. When you leave, we delete your answers unless you ask us to keep you "
    "as a network participant.\n\n"
    "Your rights. You may see your data (/profile), have it corrected or deleted, and complain to your "
    "country's data protection authority. To withdraw or to ask anything, write to a coordinator here in "
    "the chat."
)

NUDGE_FIRST = __(
    "Hello again! You started registering with the Mentor Network. Your answers are saved, so you can go on "
    "whenever it suits you. Here is where you stopped:"
)
NUDGE_LAST = __(
    "Your registration is still waiting for you; it takes only a few more minutes. If you would rather not "
    "go on, send /cancel and we will delete your answers. This is the last reminder."
)


def role_name(tr: Translator, role: str | None) -> str:
    """Her role in her language."""
    return tr.gettext(ROLE_NAMES[role]) if role in ROLE_NAMES else tr.gettext("not chosen yet")


def status_name(tr: Translator, status: str | None) -> str:
    """Her status in her language."""
    return tr.gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else tr.gettext("not registered yet")


# An update that kept failing was set aside (bot/inbox.py): she is asked to send it again.
SET_ASIDE_APOLOGY = __(
    "Sorry, something went wrong on our side and I could not take in your last message. "
    "Please send it again in a little while. If it keeps happening, your coordinator can help."
)


# What a coordinator reads about a participant: the registration's labels are her own first person
# ("Find a job in my field", "What you can offer"); about her they read in the third person. Keyed by
# the registration's field ids (conversations/registration.py), and for choices by field and value;
# what is missing here reads the same either way.
ABOUT_HER_LABELS: dict[str, str] = {
    "share_channels": __("Contact she shares"),
    "goals_text": __("Goals in her words"),
    "offers": __("What she can offer"),
    "wishes": __("Her wishes about a match"),
}
ABOUT_HER_CHOICES: dict[tuple[str, str], str] = {
    ("role", "mentee"): __("Looking for a mentor"),
    ("role", "mentor"): __("Wants to be a mentor"),
    ("goals", "job"): __("Find a job in her field"),
    ("goals", "business"): __("Start her own business"),
    ("goals", "confidence"): __("Believe more in herself"),
    ("offers", "network"): __("Her professional network"),
}


def language_name(tr: Translator, code: str | None) -> str:
    """A language's name in the reader's language ("russisk" to a Dane), not in itself."""
    code = code or ""
    return tr.locale.languages.get(code) or LANGUAGES.get(code, code)
