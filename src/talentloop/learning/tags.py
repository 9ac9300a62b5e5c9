"""Names of content tags in the reader's language.

Tags are stored as stable slugs (``code-review``) so filters and links never change with the
language; the slugs the product and its demo use are named here, translatable, and any other
slug is shown as words ("machine-learning" → "Machine learning").
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

_T = "learning tag"
NAMES = {
    "bug-rate": pgettext_lazy(_T, "Bug rate"),
    "code-quality": pgettext_lazy(_T, "Code quality"),
    "code-review": pgettext_lazy(_T, "Code review"),
    "complaint-handling": pgettext_lazy(_T, "Complaint handling"),
    "customer-complaints": pgettext_lazy(_T, "Customer complaints"),
    "customer-empathy": pgettext_lazy(_T, "Customer empathy"),
    "customer-feedback": pgettext_lazy(_T, "Customer feedback"),
    "customer-satisfaction": pgettext_lazy(_T, "Customer satisfaction"),
    "customer-service": pgettext_lazy(_T, "Customer service"),
    "efficiency": pgettext_lazy(_T, "Efficiency"),
    "employee": pgettext_lazy(_T, "Employees"),
    "feedback": pgettext_lazy(_T, "Feedback"),
    "first-contact-resolution": pgettext_lazy(_T, "First-contact resolution"),
    "first-pass-yield": pgettext_lazy(_T, "First-pass yield"),
    "first-response-minutes": pgettext_lazy(_T, "First response time"),
    "improvement-proposals": pgettext_lazy(_T, "Improvement proposals"),
    "lean-manufacturing": pgettext_lazy(_T, "Lean manufacturing"),
    "mentoring-skills": pgettext_lazy(_T, "Mentoring skills"),
    "negotiation": pgettext_lazy(_T, "Negotiation"),
    "new-customers": pgettext_lazy(_T, "New customers"),
    "newgrad": pgettext_lazy(_T, "New graduates"),
    "onboarding": pgettext_lazy(_T, "Onboarding"),
    "peer-review-score": pgettext_lazy(_T, "Peer review"),
    "performance": pgettext_lazy(_T, "Performance"),
    "python": "Python",
    "quality": pgettext_lazy(_T, "Quality"),
    "results": pgettext_lazy(_T, "Work results"),
    "safety": pgettext_lazy(_T, "Safety"),
    "sales": pgettext_lazy(_T, "Sales"),
    "sales-revenue": pgettext_lazy(_T, "Sales revenue"),
    "scrap-rate": pgettext_lazy(_T, "Scrap rate"),
    "software-engineering": pgettext_lazy(_T, "Software engineering"),
    "sql": "SQL",
    "teamwork": pgettext_lazy(_T, "Teamwork"),
    "testing": pgettext_lazy(_T, "Testing"),
    "tickets-resolved": pgettext_lazy(_T, "Tickets resolved"),
    "tools": pgettext_lazy(_T, "Tools"),
}


def tag_label(tag: str) -> str:
    """'code-review' -> 'Code review' (代码评审 in Chinese); an unknown slug as words."""
    known = NAMES.get(tag)
    if known is not None:
        return str(known)
    text = tag.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
