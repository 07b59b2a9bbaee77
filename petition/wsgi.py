import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")

django_application = get_wsgi_application()

# What a WSGI server itself puts in a request's environ, whatever the process environment holds.
SERVER_VARIABLES = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "GATEWAY_INTERFACE",
        "HTTPS",
        "PATH_INFO",
        "QUERY_STRING",
        "RAW_URI",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "REQUEST_METHOD",
        "REQUEST_URI",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
    }
)
# Granian starts every request's environ from a copy of the process environment,
# so DATABASE_URL, SECRET_KEY and the other secrets would be in request.META,
# where an error report or a log of the request would show them. A request
# header of the same name as a process variable (HTTP_PROXY) goes too.
PROCESS_VARIABLES = tuple(name for name in os.environ if name not in SERVER_VARIABLES)


def application(environ, start_response):
    for name in PROCESS_VARIABLES:
        environ.pop(name, None)
    return django_application(environ, start_response)
