"""The HTTP methods a public page answers."""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only_page(view):
    """GET and HEAD only: any other method gets an empty 405 with "Allow: GET, HEAD", before anything else runs.

    OPTIONS, TRACE and PUT used to render a whole page, past the page cache
    (which keeps GET and HEAD only); a POST was the CSRF check's 403. The
    view is exempt from that check only so the 405 comes first: it writes
    nothing.
    """
    return csrf_exempt(require_safe(view))
