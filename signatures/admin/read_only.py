from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows that change only through their own screens and services (or never), and are never deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
