"""factory-boy factories for test data (made-up text only)."""

from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims_app.models import Article, Claim, ClaimLink, Speaker, SpeakerAlias
from claims_app.roles import GROUP_NAMES, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-123")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=GROUP_NAMES[extracted]))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Ferry strike enters day {n}")
    outlet = "Harbour Ledger"
    body = factory.Sequence(lambda n: f'"The ferries will run again on Monday," said Mayor Ilse Varga. Story {n}.')
    raw = factory.LazyAttribute(lambda o: o.body.encode())
    content_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.body.encode()).hexdigest())


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ilse Varga {n}")
    normalised_name = factory.LazyAttribute(lambda o: o.name.casefold())
    kind = Speaker.Kind.PERSON
    role = "mayor of Port Selden"

    @factory.post_generation
    def aliases(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            for alias in extracted or [self.name]:
                SpeakerAlias.objects.create(speaker=self, alias=alias, normalised=alias.casefold())


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    text = "The ferries will run again on Monday,"
    start = 1
    end = factory.LazyAttribute(lambda o: o.start + len(o.text))
    kind = Claim.Kind.DIRECT
    cue = "say"


class ClaimLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimLink

    from_claim = factory.SubFactory(ClaimFactory)
    to_claim = factory.SubFactory(ClaimFactory)
    relation = ClaimLink.Relation.SAME_CLAIM
