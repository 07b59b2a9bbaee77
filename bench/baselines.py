"""Bare Django views: the least a request of each shape can cost on this stack.

Each mirrors the shape of a product request (same middleware, CSRF, database
and cache) but does nothing else, so product/baseline is the price of the
product's own work: templates, validation, rate limits, services, enqueues.
"""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

BASELINE_TABLE = "bench_baseline_row"
CACHED_VALUE_KEY = "bench:cached-count"

CREATE_TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
    "(id bigserial PRIMARY KEY, payload varchar(254) NOT NULL, created_at timestamptz NOT NULL)"
)
INSERT_SQL = f"INSERT INTO {BASELINE_TABLE} (payload, created_at) VALUES (%s, now())"


def insert_one_row(payload: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [payload[:254]])


@require_GET
def bare_form(request):
    """Baseline of the petition page a signer loads: a form carrying a CSRF token."""
    token = get_token(request)
    return HttpResponse(
        '<form method="post" action="/__bench__/insert/">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input name="email"><button>Sign</button></form>'
    )


@require_POST
def bare_insert(request):
    """Baseline of signing: the CSRF-checked POST doing one INSERT, then a redirect."""
    insert_one_row(request.POST.get("email", ""))
    return HttpResponseRedirect("/__bench__/done/")


@require_GET
def bare_done(request):
    """Baseline of the thank-you page the signer is redirected to."""
    return HttpResponse("done")


@csrf_exempt  # as the confirm view: an emailed link carries no cookie, its page posts back without a token
@require_http_methods(["GET", "POST"])
def bare_link(request):
    """Baseline of confirming: the emailed link opens a page with a button, whose POST does one INSERT."""
    if request.method == "GET":
        return HttpResponse('<form method="post"><button>Confirm</button></form>')
    insert_one_row(request.GET.get("t", ""))
    return HttpResponse("confirmed")


@require_GET
def bare_cached_value(request):
    """Baseline of the count API and the petition page: one cached value as JSON."""
    return JsonResponse({"count": cache.get(CACHED_VALUE_KEY, 0)})
