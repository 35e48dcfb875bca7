"""The three roles and what each may do; groups are created by a data migration."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


GROUP_NAMES = {Role.VIEWER: "Viewer", Role.EDITOR: "Editor", Role.ADMIN: "Admin"}

# codename lists per role (app label claims_app); each role includes the one before it.
VIEWER_PERMISSIONS = [
    "view_article",
    "view_claim",
    "view_speaker",
    "view_speakeralias",
    "view_claimstatuschange",
    "view_evidence",
    "view_claimlink",
    "view_speakermergesuggestion",
]
EDITOR_PERMISSIONS = [
    *VIEWER_PERMISSIONS,
    "add_article",
    "review_claim",
    "link_claim",
    "change_claim",
    "add_claim",
    "add_evidence",
    "add_claimlink",
    "change_claimlink",
    "delete_claimlink",
]
ADMIN_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "change_article",
    "delete_article",
    "delete_claim",
    "change_speaker",
    "delete_speaker",
    "add_speakeralias",
    "change_speakeralias",
    "delete_speakeralias",
    "change_speakermergesuggestion",
    "delete_evidence",
]
ROLE_PERMISSIONS = {Role.VIEWER: VIEWER_PERMISSIONS, Role.EDITOR: EDITOR_PERMISSIONS, Role.ADMIN: ADMIN_PERMISSIONS}


def can_upload(user: User | AnonymousUser) -> bool:
    return user.has_perm("claims_app.add_article")


def can_review(user: User | AnonymousUser) -> bool:
    return user.has_perm("claims_app.review_claim")


def can_link(user: User | AnonymousUser) -> bool:
    return user.has_perm("claims_app.link_claim")


def can_merge_speakers(user: User | AnonymousUser) -> bool:
    return user.has_perm("claims_app.change_speaker")


def can_manage_any_upload(user: User | AnonymousUser) -> bool:
    """Admins may follow and retry any editor's uploads; editors only their own."""
    return role_of(user) == Role.ADMIN


def role_of(user: User | AnonymousUser) -> Role | None:
    """The highest role a user holds (superusers count as admin)."""
    if not user.is_authenticated:
        return None
    if can_merge_speakers(user):
        return Role.ADMIN
    if can_review(user):
        return Role.EDITOR
    if user.has_perm("claims_app.view_claim"):
        return Role.VIEWER
    return None
