"""Names of content tags in the reader's language.

Tags are stored as stable slugs (``code-review``) so filters and links never change with the
language; the slugs the product and its demo use are named here, translatable, and any other
slug is shown as words ("machine-learning" → "Machine learning").
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

NAMES = {
    "bug-rate": pgettext_lazy("learning tag", "Bug rate"),
    "code-quality": pgettext_lazy("learning tag", "Code quality"),
    "code-review": pgettext_lazy("learning tag", "Code review"),
    "complaint-handling": pgettext_lazy("learning tag", "Complaint handling"),
    "customer-complaints": pgettext_lazy("learning tag", "Customer complaints"),
    "customer-empathy": pgettext_lazy("learning tag", "Customer empathy"),
    "customer-feedback": pgettext_lazy("learning tag", "Customer feedback"),
    "customer-satisfaction": pgettext_lazy("learning tag", "Customer satisfaction"),
    "customer-service": pgettext_lazy("learning tag", "Customer service"),
    "efficiency": pgettext_lazy("learning tag", "Efficiency"),
    "employee": pgettext_lazy("learning tag", "Employees"),
    "feedback": pgettext_lazy("learning tag", "Feedback"),
    "first-contact-resolution": pgettext_lazy("learning tag", "First-contact resolution"),
    "first-pass-yield": pgettext_lazy("learning tag", "First-pass yield"),
    "first-response-minutes": pgettext_lazy("learning tag", "First response time"),
    "improvement-proposals": pgettext_lazy("learning tag", "Improvement proposals"),
    "lean-manufacturing": pgettext_lazy("learning tag", "Lean manufacturing"),
    "mentoring-skills": pgettext_lazy("learning tag", "Mentoring skills"),
    "negotiation": pgettext_lazy("learning tag", "Negotiation"),
    "new-customers": pgettext_lazy("learning tag", "New customers"),
    "newgrad": pgettext_lazy("learning tag", "New graduates"),
    "onboarding": pgettext_lazy("learning tag", "Onboarding"),
    "peer-review-score": pgettext_lazy("learning tag", "Peer review"),
    "performance": pgettext_lazy("learning tag", "Performance"),
    "python": "Python",
    "quality": pgettext_lazy("learning tag", "Quality"),
    "results": pgettext_lazy("learning tag", "Work results"),
    "safety": pgettext_lazy("learning tag", "Safety"),
    "sales": pgettext_lazy("learning tag", "Sales"),
    "sales-revenue": pgettext_lazy("learning tag", "Sales revenue"),
    "scrap-rate": pgettext_lazy("learning tag", "Scrap rate"),
    "software-engineering": pgettext_lazy("learning tag", "Software engineering"),
    "sql": "SQL",
    "teamwork": pgettext_lazy("learning tag", "Teamwork"),
    "testing": pgettext_lazy("learning tag", "Testing"),
    "tickets-resolved": pgettext_lazy("learning tag", "Tickets resolved"),
    "tools": pgettext_lazy("learning tag", "Tools"),
}


def tag_label(tag: str) -> str:
    """'code-review' -> 'Code review' (代码评审 in Chinese); an unknown slug as words."""
    known = NAMES.get(tag)
    if known is not None:
        return str(known)
    text = tag.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
