import re

from django import forms
from django.utils.translation import gettext_lazy as _

HOSTNAME = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")


class MastodonServerForm(forms.Form):
    """Which Mastodon server to share on: people type it in many shapes."""

    server = forms.CharField(
        label=_("Your Mastodon server"),
        help_text=_("The address of the server your account is on, for example mastodon.social."),
        max_length=300,
        error_messages={"required": _("Please enter the address of your Mastodon server.")},
        widget=forms.TextInput(attrs={"autocomplete": "url", "spellcheck": "false", "inputmode": "url"}),
    )

    def full_clean(self):
        super().full_clean()
        if "server" in self.errors:
            self.fields["server"].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": "id_server_error id_server_helptext", "autofocus": True}
            )

    def clean_server(self) -> str:
        value = self.cleaned_data["server"].strip().lower()
        value = re.sub(r"^https?://", "", value).split("/")[0]
        # "@name@mastodon.social" and "name@mastodon.social" name the server after the last @.
        value = value.rsplit("@", 1)[-1]
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            value = ""
        if not HOSTNAME.fullmatch(value):
            raise forms.ValidationError(
                _("Please enter only the server's address, like mastodon.social."), code="invalid"
            )
        return value
