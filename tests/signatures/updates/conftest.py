import pytest

from tests.realstack import smtp_server


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback that the platform's mail backend sends to."""
    with smtp_server() as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.UPDATE_SEND_PER_MINUTE = 0
        yield handler


def recipients(handler) -> list[str]:
    with handler.lock:
        return sorted(str(message["To"]) for message in handler.messages)
