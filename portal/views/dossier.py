"""The debtor's dossier block on the portal page and the defence (verweer) they file there.

The block (``portal/_dossier.html``) shows each open dossier of the link's debtor: the stage in plain
words, per invoice the principal and interest left, the costs and the total, the defences with the
creditor's answers, and the defence form. Posting it checks the signed form token (the portal sets no
cookie), files the defence and redirects (303) to the page with a notice; a mistake shows the page
again with the reason and what the debtor typed. Another debtor's dossier answers the same 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collection.forms import DossierDefenceForm
from collection.selectors.portal_dossiers import PortalDossier, portal_dossier, portal_dossiers
from collection.services.dossier_defences import DefenceFile, dossier_defence_file
from outstanding.calendar import local_today
from outstanding.uploads import uploads_refused
from portal.models import PortalAccess
from portal.views.form_token import portal_form_token_valid
from portal.views.guard import PortalRequest, not_found, portal_form_view


@dataclass(frozen=True)
class DossierBlock:
    dossier: PortalDossier
    form: DossierDefenceForm
    error: str = ""  # a problem with the whole form (a stale page)


def dossier_blocks(
    access: PortalAccess, today: dt.date, bound: Mapping[UUID, tuple[DossierDefenceForm, str]] | None = None
) -> list[DossierBlock]:
    """The blocks for the page; the dossier whose defence just failed gets its bound form back."""
    bound = bound or {}
    return [
        DossierBlock(dossier, *bound.get(dossier.public_id, (DossierDefenceForm(), "")))
        for dossier in portal_dossiers(organization=access.organization, debtor=access.debtor, today=today)
    ]


@portal_form_view
def portal_dossier_defence(request: PortalRequest, dossier_id: UUID) -> HttpResponseBase:
    access = request.portal_access
    dossier = portal_dossier(organization=access.organization, debtor=access.debtor, public_id=dossier_id)
    if dossier is None:
        return not_found(request)
    files = request.FILES  # parse the body first: only then does the upload handler report a dropped file
    form = DossierDefenceForm(request.POST, files, refused=uploads_refused(request))
    if not portal_form_token_valid(access, request.POST.get("form_token", "")):
        return _again(request, dossier_id, form, _("This page was open too long. Please try again."))
    if not form.is_valid():
        return _again(request, dossier_id, form)
    upload = form.cleaned_data["file"]
    try:
        dossier_defence_file(
            organization=access.organization, dossier=dossier, text=form.cleaned_data["text"],
            today=local_today(access.organization.time_zone), reason=form.cleaned_data["reason"],
            defence_file=DefenceFile(upload, form.file_type) if upload is not None else None,
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _again(request, dossier_id, form)
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    # No "thank you" in the query: the page is stored (page_cache) and its dossier block says what was filed.
    query = urlencode({"lang": request.portal_language})
    url = f"{reverse('portal_home', kwargs={'token': token})}?{query}#dossier-{dossier_id}"
    return HttpResponseRedirect(url, status=303)


def _again(request: PortalRequest, dossier_id: UUID, form: DossierDefenceForm, error: str = "") -> HttpResponseBase:
    from portal.views.pages import home_page  # the page the block sits on

    return home_page(request, dossier_forms={dossier_id: (form, error)}, status=400)
