"""The secret an organisation's webhook events are signed with: whsec_ and 32 random bytes in base64."""

import base64
import secrets

SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()
