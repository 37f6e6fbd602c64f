"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from shian.complaints.api import router as complaints_router
from shian.core.api import router as core_router
from shian.core.concurrency import EditConflict
from shian.core.tokens import api_token_authenticate
from shian.enforcement.api import router as enforcement_router
from shian.incidents.api import router as incidents_router
from shian.inspections.api import router as inspections_router
from shian.planning.api import router as planning_router
from shian.portal.api import router as portal_router
from shian.registry.api import router as registry_router
from shian.registry.application_api import router as licence_application_router
from shian.risk.api import router as risk_router
from shian.sampling.api import router as sampling_router
from shian.schools.api import router as schools_router
from shian.sources.api import router as sources_router
from shian.trace.api import epcis_router, trace_router
from shian.workforce.api import router as workforce_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer shian_…` with a token made on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="shian API",
    version="1",
    description="食安平台接口。用个人令牌认证：Authorization: Bearer shian_…",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> Any:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(EditConflict)
def _conflict(request: HttpRequest, exc: EditConflict) -> Any:
    """The record changed since the client read it: both values of each field, and the version
    to send again for a deliberate overwrite."""
    fields = [{"field": f, "current": now, "yours": yours} for f, now, yours in exc.fields]
    body = {"detail": exc.message, "fields": fields, "current_version": exc.current_version}
    return api.create_response(request, body, status=409)


@api.exception_handler(LookupError)
def _no_edition(request: HttpRequest, exc: LookupError) -> Any:
    """A rule looked up for a date outside its editions raises LookupError naming the date: the
    caller's input, answered 422 with the rule's own words. (A KeyError or an IndexError is a
    bug, not an answer: it stays a server error.)"""
    if type(exc) is not LookupError:
        raise exc
    return api.create_response(request, {"detail": {"__all__": [str(exc)]}}, status=422)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> Any:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/jurisdiction", core_router)
api.add_router("/businesses", registry_router)
api.add_router("/licence-applications", licence_application_router)
api.add_router("/plans", planning_router)
api.add_router("/risk", risk_router)
api.add_router("/inspections", inspections_router)
api.add_router("/sampling", sampling_router)
api.add_router("/epcis", epcis_router)
api.add_router("/trace", trace_router)
api.add_router("/enforcement", enforcement_router)
api.add_router("/complaints", complaints_router)
api.add_router("/incidents", incidents_router)
api.add_router("/sources", sources_router)
api.add_router("/workforce", workforce_router)
api.add_router("/schools", schools_router)
api.add_router("/portal", portal_router)
