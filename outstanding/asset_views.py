"""Public assets: files anyone may see, served by the app itself so they work with DEBUG off.

Only organization logos, which e-mails to debtors show. Their names are random (``outstanding.files``)
and change with every upload, so a response may be cached for a year; a logo is found by its exact
stored name, never by an organization id, so the URL tells nothing about whose logo it is.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from outstanding.access import stored_file_or_404
from outstanding.files import LOGO_FOLDER, logo_content_type
from outstanding.models import Organization

CACHE_FOR_A_YEAR = "public, max-age=31536000, immutable"


@require_safe
def public_logo(request: HttpRequest, name: str) -> FileResponse:
    content_type = logo_content_type(name)
    organization = Organization.objects.filter(logo=f"{LOGO_FOLDER}/{name}").only("logo").first()
    if organization is None or content_type is None:
        raise Http404
    response = FileResponse(stored_file_or_404(organization.logo), content_type=content_type)
    response["Cache-Control"] = CACHE_FOR_A_YEAR
    # Shown inside webmail of any domain; never run as a document (an image that claims to be a page).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
