"""The public JSON API of campaign counts, built to be read a great deal.

The JSON itself is built and cached by campaigns.payload; these views add the
HTTP side: conditional requests (ETag, Last-Modified), shared caching and CORS.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from .payload import cached_entries, public_slugs, quoted_digest


def with_public_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = (
        f"public, max-age={int(settings.COUNT_FOLD_SECONDS)}, stale-while-revalidate={settings.COUNT_STALE_SECONDS}"
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def json_answer(request, body: bytes, etag: str, modified) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()), response=response)
    return with_public_headers(response)


def preflight() -> HttpResponse:
    response = with_public_headers(HttpResponse(status=204))
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    return response


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def campaign_list(request):
    if request.method == "OPTIONS":
        return preflight()
    slugs = public_slugs()
    entries = cached_entries(slugs)
    present = [entries[slug] for slug in slugs if slug in entries]
    body = b'{"campaigns":[' + b",".join(entry["body"] for entry in present) + b"]}"
    etag = quoted_digest("".join(entry["etag"] for entry in present).encode())
    modified = max((entry["modified"] for entry in present), default=None)
    if modified is None:
        return with_public_headers(HttpResponse(body, content_type="application/json"))
    return json_answer(request, body, etag, modified)


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def campaign_detail(request, slug: str):
    if request.method == "OPTIONS":
        return preflight()
    entry = cached_entries([slug]).get(slug)
    if entry is None:
        return with_public_headers(JsonResponse({"error": "No public campaign has this slug."}, status=404))
    return json_answer(request, entry["body"], entry["etag"], entry["modified"])


def not_found(request, rest: str = ""):
    """Any other address under /api/: JSON, as an API client expects (both keys the documented errors use)."""
    message = "Nothing is at this address of the API; see /api/openapi.json."
    return with_public_headers(JsonResponse({"error": message, "detail": message}, status=404))
