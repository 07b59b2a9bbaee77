"""The Communications role sends updates; Campaign managers may draft them but not send.

As in signatures 0003_roles, permissions are created here first because
Django makes them only after all migrations ran.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DRAFTING = [
    "campaigns.add_update",
    "campaigns.change_update",
    "campaigns.view_update",
    "campaigns.add_updatetext",
    "campaigns.change_updatetext",
    "campaigns.delete_updatetext",
    "campaigns.view_updatetext",
]
ROLES = {
    "Communications": ["campaigns.view_campaign", "campaigns.view_organisation", *DRAFTING, "campaigns.send_update"],
    "Campaign managers": DRAFTING,
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Communications").delete()
    managers = Group.objects.filter(name="Campaign managers").first()
    if managers:
        managers.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="campaigns", codename__in=[dotted.split(".")[1] for dotted in DRAFTING]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0010_updates"),
        ("signatures", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
