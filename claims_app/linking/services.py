"""Writes for corroboration: link-suggestion decisions, statement origins and API tokens.

Same rules as services.py (keyword-only arguments, permission check, full_clean, one transaction); kept in
their own module so the corroboration work does not crowd the ingest and review services. Every change that
can move a claim's corroboration status ends with corroboration.refresh inside its transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from claims_app import roles
from claims_app.linking import corroboration
from claims_app.models import (
    Article,
    Claim,
    ClaimCorrection,
    ClaimLink,
    LinkSuggestionDecision,
    Notification,
    OriginPairingUndo,
    Speaker,
    StatementOrigin,
)
from claims_app.notifications import services as notifications

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- link suggestions


def _record_decision(
    *, claim: Claim, candidate: Claim, decision: str, user: User, score: float | None, relation_guess: str
) -> LinkSuggestionDecision:
    pair = Q(claim=claim, candidate=candidate) | Q(claim=candidate, candidate=claim)
    row = LinkSuggestionDecision.objects.filter(pair).first() or LinkSuggestionDecision(
        claim=claim, candidate=candidate
    )
    row.decision = decision
    row.score = score
    row.relation_guess = relation_guess
    row.decided_by = user
    row.full_clean(validate_constraints=False)
    row.save()
    return row


def accept_link_suggestion(
    *,
    claim: Claim,
    candidate: Claim,
    relation: str,
    user: User,
    score: float | None = None,
    relation_guess: str = "",
) -> ClaimLink:
    """Turn a suggestion into a link of the editor's chosen relation, and remember it was accepted."""
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    with transaction.atomic():
        link = link_claims(from_claim=claim, to_claim=candidate, relation=relation, user=user)
        _record_decision(
            claim=claim,
            candidate=candidate,
            decision=LinkSuggestionDecision.Decision.ACCEPTED,
            user=user,
            score=score,
            relation_guess=relation_guess,
        )
    logger.info("suggestion %s -> %s accepted as %s by %s", claim.pk, candidate.pk, relation, user.get_username())
    return link


def dismiss_link_suggestion(
    *, claim: Claim, candidate: Claim, user: User, score: float | None = None, relation_guess: str = ""
) -> LinkSuggestionDecision:
    """Dismiss a suggested pair; it is never suggested again (from either side)."""
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can dismiss suggestions.")
    if claim.pk == candidate.pk:
        raise ValidationError("A claim cannot be suggested for itself.")
    with transaction.atomic():
        row = _record_decision(
            claim=claim,
            candidate=candidate,
            decision=LinkSuggestionDecision.Decision.DISMISSED,
            user=user,
            score=score,
            relation_guess=relation_guess,
        )
    return row


# ---------------------------------------------------------------- origins


def _origin_label(origin: StatementOrigin | None) -> str:
    return str(origin) if origin else ""


def create_origin(
    *,
    user: User,
    speaker: Speaker | None,
    medium: str = "",
    first_article: Article | None = None,
    first_seen: date | None = None,
    note: str = "",
) -> StatementOrigin:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can edit origins.")
    origin = StatementOrigin(
        speaker=speaker,
        medium=medium.strip()[:300],
        first_article=first_article,
        first_seen=first_seen or (first_article.published_at if first_article else None),
        note=note.strip(),
        created_by=user,
    )
    origin.full_clean()
    with transaction.atomic():
        origin.save()
    return origin


def set_statement_origin(*, claims: Iterable[Claim], origin: StatementOrigin | None, user: User, note: str = "") -> int:
    """Put claims in an origin (or take them out with None); each change is a correction in the claim's history."""
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can edit origins.")
    with transaction.atomic():
        locked = list(
            Claim.objects.select_for_update(of=("self",))
            .select_related("statement_origin__speaker")
            .filter(pk__in=[c.pk for c in claims])
            .order_by("pk")
        )
        changed = [c for c in locked if c.statement_origin_id != (origin.pk if origin else None)]
        if not changed:
            return 0
        ClaimCorrection.objects.bulk_create(
            [
                ClaimCorrection(
                    claim=c,
                    field=ClaimCorrection.Field.ORIGIN,
                    old_value=_origin_label(c.statement_origin),
                    new_value=_origin_label(origin),
                    note=note.strip(),
                    changed_by=user,
                )
                for c in changed
            ]
        )
        # Claims left behind in an old origin may no longer repeat anything: recompute them too.
        old_origins = {c.statement_origin_id for c in changed if c.statement_origin_id is not None}
        left_behind = list(Claim.objects.filter(statement_origin_id__in=old_origins).values_list("pk", flat=True))
        assigned_by = Claim.OriginAssignedBy.EDITOR if origin is not None else ""
        for c in changed:
            Claim.objects.filter(pk=c.pk).update(
                statement_origin=origin, origin_assigned_by=assigned_by, origin_evidence={}, version=c.version + 1
            )
        corroboration.refresh([*(c.pk for c in changed), *left_behind])
        notifications.notify(
            kind=Notification.Kind.CORRECTION, actor=user, claim_ids=[c.pk for c in changed], detail="origin"
        )
    logger.info("origin %s set on %d claims by %s", origin.pk if origin else None, len(changed), user.get_username())
    return len(changed)


def accept_origin_suggestion(
    *,
    claim: Claim,
    peer_ids: Iterable[int],
    user: User,
    medium: str = "",
    origin: StatementOrigin | None = None,
) -> StatementOrigin:
    """Group a claim and the suggested peers under one origin: the existing one, or a new one."""
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can edit origins.")
    peers = list(Claim.objects.select_related("article").defer("article__raw").filter(pk__in=list(peer_ids)))
    members = [claim, *peers]
    with transaction.atomic():
        if origin is None:
            dated = [c for c in members if c.article.published_at]
            first = min(dated, key=lambda c: (c.article.published_at, c.pk)) if dated else claim
            origin = create_origin(
                user=user, speaker=claim.speaker, medium=medium, first_article=first.article, first_seen=None
            )
        set_statement_origin(claims=members, origin=origin, user=user, note="Accepted the suggested origin.")
    return origin


def undo_automatic_origin(*, claim: Claim, user: User) -> int:
    """Take a claim out of the origin it was traced to automatically; the tracer never pairs it with that
    origin's claims again. A lone automatic member left behind leaves too (an origin of one repeats nothing).
    Returns how many claims left the origin."""
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can edit origins.")
    with transaction.atomic():
        locked = (
            Claim.objects.select_for_update(of=("self",)).select_related("statement_origin__speaker").get(pk=claim.pk)
        )
        origin = locked.statement_origin
        if origin is None or locked.origin_assigned_by != Claim.OriginAssignedBy.AUTOMATIC:
            raise ValidationError("This claim's origin was not traced automatically.", code="not_automatic")
        others = list(
            Claim.objects.select_for_update(of=("self",))
            .filter(statement_origin=origin)
            .exclude(pk=locked.pk)
            .order_by("pk")
        )
        existing = {
            frozenset(pair)
            for pair in OriginPairingUndo.objects.filter(
                Q(claim=locked, other__in=others) | Q(other=locked, claim__in=others)
            ).values_list("claim_id", "other_id")
        }
        OriginPairingUndo.objects.bulk_create(
            [
                OriginPairingUndo(claim=locked, other=o, undone_by=user)
                for o in others
                if frozenset((locked.pk, o.pk)) not in existing
            ]
        )
        leaving = [locked]
        if len(others) == 1 and others[0].origin_assigned_by == Claim.OriginAssignedBy.AUTOMATIC:
            leaving.append(others[0])
        label = _origin_label(origin)
        ClaimCorrection.objects.bulk_create(
            [
                ClaimCorrection(
                    claim=c,
                    field=ClaimCorrection.Field.ORIGIN,
                    old_value=label,
                    new_value="",
                    note="Undid the automatic origin; this pairing will not be traced again.",
                    changed_by=user,
                )
                for c in leaving
            ]
        )
        for c in leaving:
            Claim.objects.filter(pk=c.pk).update(
                statement_origin=None, origin_assigned_by="", origin_evidence={}, version=c.version + 1
            )
        if not Claim.objects.filter(statement_origin=origin).exists():
            origin.delete()
        corroboration.refresh([*(c.pk for c in leaving), *(o.pk for o in others)])
        notifications.notify(
            kind=Notification.Kind.CORRECTION, actor=user, claim_ids=[c.pk for c in leaving], detail="origin"
        )
    logger.info("automatic origin of claim %s undone by %s", claim.pk, user.get_username())
    return len(leaving)


# ---------------------------------------------------------------- API tokens


def link_claims(*, from_claim: Claim, to_claim: Claim, relation: str, user: User, note: str = "") -> ClaimLink:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    if from_claim.pk == to_claim.pk:
        raise ValidationError("A claim cannot be linked to itself.", code="self_link")
    link = ClaimLink(from_claim=from_claim, to_claim=to_claim, relation=relation, note=note.strip(), created_by=user)
    try:
        link.full_clean()
    except ValidationError as exc:
        # The pair constraint (A-B is B-A) is the one check across rows; looked up only when validation failed.
        pair = Q(from_claim=from_claim, to_claim=to_claim) | Q(from_claim=to_claim, to_claim=from_claim)
        if ClaimLink.objects.filter(pair).exists():
            raise ValidationError("These claims are already linked.", code="already_linked") from exc
        raise
    with transaction.atomic():
        link.save()
        corroboration.refresh([from_claim.pk, to_claim.pk])
        label = ClaimLink.Relation(relation).label
        notifications.notify(
            kind=Notification.Kind.LINK, actor=user, claim_ids=[from_claim.pk], detail=f"{label} with #{to_claim.pk}"
        )
        notifications.notify(
            kind=Notification.Kind.LINK, actor=user, claim_ids=[to_claim.pk], detail=f"{label} with #{from_claim.pk}"
        )
    return link


def change_link_relation(*, link: ClaimLink, user: User, relation: str) -> ClaimLink:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can link claims.")
    link.relation = relation
    link.full_clean()
    with transaction.atomic():
        link.save(update_fields=["relation"])
        corroboration.refresh([link.from_claim_id, link.to_claim_id])
    return link


def remove_link(*, link: ClaimLink, user: User) -> None:
    if not roles.can_link(user):
        raise PermissionDenied("Only editors can unlink claims.")
    ends = [link.from_claim_id, link.to_claim_id]
    with transaction.atomic():
        link.delete()
        corroboration.refresh(ends)
