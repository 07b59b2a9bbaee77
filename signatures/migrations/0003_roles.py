"""The staff roles of the coalition, as groups.

Django creates permissions after all migrations have run (post_migrate), so on
a fresh database they do not exist yet here: create_permissions makes the
missing ones (and their content types) first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Campaign managers": [
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.view_campaign",
        "campaigns.add_organisation",
        "campaigns.change_organisation",
        "campaigns.view_organisation",
        "campaigns.add_milestone",
        "campaigns.change_milestone",
        "campaigns.delete_milestone",
        "campaigns.view_milestone",
        "campaigns.add_campaigntranslation",
        "campaigns.change_campaigntranslation",
        "campaigns.delete_campaigntranslation",
        "campaigns.view_campaigntranslation",
    ],
    "Moderators": [
        "campaigns.view_campaign",
        "campaigns.view_organisation",
        "signatures.view_signature",
        "signatures.moderate_signatures",
        "signatures.view_consent",
        "signatures.view_auditentry",
        "signatures.add_bulkinvalidation",
        "signatures.view_bulkinvalidation",
    ],
    "Data exporters": [
        "campaigns.view_campaign",
        "signatures.export_signatures",
    ],
}


def create_roles(apps, schema_editor):
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


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0001_initial"),
        ("signatures", "0002_moderation"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
