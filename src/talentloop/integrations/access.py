"""Who may do what with outbound webhooks and calendar feeds, and what an endpoint may receive.

Subscriptions
    HR and administrators create subscriptions; each belongs to the account that created it. Managers
    may not: an endpoint is a technical integration that copies data out of Talentloop, and a
    manager's team data leaving through it would escape HR's oversight of where personal data goes.
    The owner sees and manages their own subscriptions; HR sees and manages every subscription (to
    review where data goes, disable an endpoint, replay a delivery). Only HR marks an endpoint
    ``trusted`` (personal results may go to it); the owner's change of its URL withdraws the trust.

What an endpoint receives
    An event reaches a subscription only when its owner may see what the event is about, by the rule
    of the app that owns it: the people an event names must all be in ``organisation``'s
    ``visible_employees(owner)`` (the rule of the people pages), and an event type may add its own
    rule (a final rating: ``performance``'s ``visible_final_ratings``). An event carrying a personal
    result (a score, a rating) reaches only trusted subscriptions. The rule is applied when the event
    is published, with the owner's access at that moment.

Connectors
    HR and administrators configure connectors and match tool accounts to people (any person they can
    see). A connector records observations with the scope of the account it acts as, so it never
    writes about a person that account may not see.

Calendar feeds
    Anyone with an employee record has one feed of their own; nobody else's.
"""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.integrations.events import EventType
from talentloop.integrations.models import Connector, Delivery, Subscription, ToolAccount
from talentloop.organisation.access import visible_employees


def can_create_subscription(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_use_webhooks(actor: Actor) -> bool:
    """The subscriptions pages and endpoints: HR and administrators (an owner who loses the role leaves
    their subscriptions to HR, who sees and manages every one)."""
    return can_create_subscription(actor)


def visible_subscriptions(actor: Actor) -> QuerySet[Subscription]:
    if not actor.is_authenticated:
        return Subscription.objects.none()
    if actor.is_hr:
        return Subscription.objects.all()
    return Subscription.objects.filter(owner_id=actor.user_id)


def can_manage_subscription(actor: Actor, subscription: Subscription) -> bool:
    """Change, rotate, disable, enable, delete, replay: the owner and HR."""
    if not actor.is_authenticated:
        return False
    return actor.is_hr or subscription.owner_id == actor.user_id


def can_set_trusted(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def visible_deliveries(actor: Actor) -> QuerySet[Delivery]:
    return Delivery.objects.filter(subscription__in=visible_subscriptions(actor))


def may_receive(owner: Actor, subscription: Subscription, event_type: EventType, data: dict) -> bool:
    """Whether this subscription (owned by ``owner``) may receive an event of this type and data."""
    if not owner.is_authenticated or not subscription.is_active:
        return False
    if event_type.key not in subscription.event_types:
        return False
    if event_type.personal_result and not subscription.trusted:
        return False
    people = set(event_type.about_people(data))
    if people and visible_employees(owner).filter(pk__in=people).count() != len(people):
        return False
    return event_type.visible_to is None or bool(event_type.visible_to(owner, data))


def can_manage_connectors(actor: Actor) -> bool:
    """Connectors (their settings, secrets, mappings and the matching of tool accounts to people): HR and
    administrators, like the signed webhook sources they sit beside."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def visible_connectors(actor: Actor) -> QuerySet[Connector]:
    if not can_manage_connectors(actor):
        return Connector.objects.none()
    return Connector.objects.all()


def visible_tool_accounts(actor: Actor) -> QuerySet[ToolAccount]:
    return ToolAccount.objects.filter(connector__in=visible_connectors(actor))


def can_have_calendar_feed(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None
