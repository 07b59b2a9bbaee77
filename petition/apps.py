from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, with petition.staffauth.StaffAdminSite as admin.site (two factors, lockout, short sessions)."""

    default_site = "petition.staffauth.StaffAdminSite"
