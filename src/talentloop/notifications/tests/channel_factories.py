"""Factories of the channel records (tests only)."""

from __future__ import annotations

import factory

from talentloop.notifications.models import GroupBot, ImCredentials, ImIdentity, PushSubscription


class ImCredentialsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImCredentials
        django_get_or_create = ("vendor",)

    vendor = "wecom"
    client_id = "ww-corp"
    agent_id = "1000002"
    secret = "s3cret-app"


class ImIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImIdentity

    vendor = "wecom"
    external_id = factory.Sequence(lambda n: f"user{n}")


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PushSubscription

    endpoint = factory.Sequence(lambda n: f"https://push.example.com/send/{n}")
    p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    auth = "tBHItJI5svbpez7KI4CCXg"


class GroupBotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupBot

    vendor = "wecom"
    name = factory.Sequence(lambda n: f"bot {n}")
    webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    kinds = factory.LazyFunction(lambda: ["review_cycle_open"])
