"""Refused pages (403): plain for the public; for staff in the admin, the admin's look and the roles that would open the page.

Django's own admin pages raise a bare PermissionDenied, named by their URL
(<app>_<model>_<page>), from which the permission they need follows. Our own
admin views raise MissingPermission, which names it, or NotYours when the role
fits but the item belongs to someone else. The roles are the auth groups that
hold the permission (the migrations create Campaign managers, Moderators and
Data exporters), read from the database so the page says what is true here.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Django's admin pages and the permission each needs (the change page shows read-only with view).
PAGE_ACTIONS = {"changelist": "view", "change": "view", "history": "view", "add": "add", "delete": "delete"}


class MissingPermission(PermissionDenied):
    """Refused for want of a permission, "app_label.codename"."""

    def __init__(self, permission: str):
        super().__init__(permission)
        self.permission = permission


class NotYours(PermissionDenied):
    """Refused although the role fits: the item is someone else's. The reason is shown to the staff member."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def permission_denied(request, exception=None):
    """handler403: the admin's 403 for staff on admin pages, the public one everywhere else."""
    on_admin = request.path.startswith(f"/{settings.ADMIN_PATH}")
    if on_admin and request.user.is_active and request.user.is_staff:
        context = {
            **admin.site.each_context(request),
            "title": _("Permission needed"),
            "explanation": explanation(request, exception),
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", status=403)


def needed_permission(request, exception) -> str | None:
    if isinstance(exception, MissingPermission):
        return exception.permission
    match = request.resolver_match
    if match is None or match.app_name != "admin" or not match.url_name:
        return None
    prefix, _, page = match.url_name.rpartition("_")
    app_label, _, model_name = prefix.partition("_")
    action = PAGE_ACTIONS.get(page)
    if not (action and app_label and model_name):
        return None
    if page == "change" and request.method == "POST":
        action = "change"
    return f"{app_label}.{action}_{model_name}"


def roles_holding(permission: str) -> list[str]:
    app_label, _, codename = permission.partition(".")
    return list(
        Group.objects.filter(permissions__content_type__app_label=app_label, permissions__codename=codename)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def explanation(request, exception) -> str:
    """One sentence on why the page is refused and what would open it."""
    if isinstance(exception, NotYours):
        return exception.reason
    permission = needed_permission(request, exception)
    if permission is None or request.user.has_perm(permission):
        return _("This page cannot be opened this way, whatever your role.")
    roles = roles_holding(permission)
    if not roles:
        return _("None of the staff roles opens this page: only an administrator can.")
    return ngettext(
        "This page is for the role %(roles)s. Ask an administrator to add your login to that group.",
        "This page is for one of the roles %(roles)s. Ask an administrator to add your login to one of those groups.",
        len(roles),
    ) % {"roles": ", ".join(f"“{role}”" for role in roles)}
