"""The pages: each reads its parameters (a 400 page names a bad one), makes its calls to
the Reads API, and renders one template. Every page is a GET; nothing here writes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from cpworkflow.errors import BadInputError
from cpworkflow.lifecycle.machine import STAGES
from cpworkflow.reads import Reads
from cpworkflow.service import PointInTime
from cpworkflow.vocabulary.people import ROLES
from cpworkflow.web import diagram, views
from cpworkflow.web.params import MAX_PER_PAGE, Params

PER_PAGE = 50
TRAY_PAGE = 200


class Pages:
    def __init__(
        self, reads: Reads, templates: Jinja2Templates, checkpoint: dict[str, Any] | None = None
    ) -> None:
        self.reads = reads
        self.templates = templates
        self.checkpoint = checkpoint

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("today", self.reads.service.today().isoformat())
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def caseload(self, request: Request) -> Response:
        p = Params(request.query_params, {"stage", "worker", "team", "pack", "page", "per_page"})
        filters = {
            "stage": p.choice("stage", STAGES),
            "worker": p.text("worker"),
            "team": p.text("team"),
            "pack": p.text("pack"),
        }
        page, per_page = (
            p.number("page", 1, 1_000_000),
            p.number("per_page", PER_PAGE, MAX_PER_PAGE),
        )
        load = self.reads.caseload(**filters, page=page, per_page=per_page)
        pages = max(1, -(-load["total"] // per_page))
        if page > pages:
            raise BadInputError(f"is past the last page ({pages})", field="page")
        kept = {k: v for k, v in filters.items() if v is not None}
        return self.render(
            request,
            "caseload.html",
            load=load,
            filters=filters,
            stages=STAGES,
            pages=pages,
            previous=_link("/", {**kept, "page": page - 1}) if page > 1 else None,
            following=_link("/", {**kept, "page": page + 1}) if page < pages else None,
        )

    def tray(self, request: Request) -> Response:
        p = Params(request.query_params, {"worker", "role", "overdue", "page"})
        worker, role = p.text("worker"), p.text("role")
        overdue_only = p.choice("overdue", ("1",)) == "1"
        page = p.number("page", 1, 1_000_000)
        load = self.reads.tray(
            role=role, worker=worker, overdue_only=overdue_only, page=page, per_page=TRAY_PAGE
        )
        pages = max(1, -(-load["total"] // TRAY_PAGE))
        if page > pages:
            raise BadInputError(f"is past the last page ({pages})", field="page")
        kept = {k: v for k, v in (("worker", worker), ("role", role)) if v is not None}
        if overdue_only:
            kept["overdue"] = "1"
        return self.render(
            request,
            "tray.html",
            roles=ROLES,
            rows=load["rows"],
            total=load["total"],
            worker=worker,
            role=role,
            overdue_only=overdue_only,
            page=page,
            pages=pages,
            previous=_link("/tray", {**kept, "page": page - 1}) if page > 1 else None,
            following=_link("/tray", {**kept, "page": page + 1}) if page < pages else None,
        )

    def case(self, request: Request) -> Response:
        case_id = _case_id(request)
        p = Params(request.query_params, {"as_of", "known_at"})
        as_of, known_at = p.day("as_of"), p.moment("known_at")
        if as_of is not None and known_at is not None:
            raise BadInputError("give as_of or known_at, not both", field="known_at")
        point = PointInTime(as_of=as_of, known_at=known_at)
        shown = self.reads.show(case_id, point)
        on = as_of or (known_at.date() if known_at else self.reads.service.today())
        if point.is_now:
            report = self.reads.audit(case_id)
            obligations = [{**o, "words": views.status_words(o)} for o in report["obligations"]]
        else:
            obligations = views.obligations(self.reads, shown, on)
        history = self.reads.history(case_id, point)
        events = {e.seq: e for e in self.reads.service.events(case_id)}
        picture = diagram.svg([events[r["seq"]] for r in history], shown["stage"])
        return self.render(
            request,
            "case.html",
            case=shown,
            age=views.age(shown["child"], on),
            obligations=obligations,
            timeline=views.timeline(self.reads, case_id, history),
            diagram=picture,
            banner=views.point_words(point),
            as_of=as_of.isoformat() if as_of else "",
            known_at=known_at.strftime("%Y-%m-%dT%H:%M") if known_at else "",
            same_day_known=f"{as_of.isoformat()}T23:59" if as_of else None,
            same_day_as_of=known_at.date().isoformat() if known_at else None,
        )

    def audit(self, request: Request) -> Response:
        case_id = _case_id(request)
        Params(request.query_params, set())
        report = self.reads.audit(case_id)
        return self.render(
            request,
            "audit.html",
            report=report,
            integrity=views.integrity(report["integrity"]["problems"]),
            checkpoint=self.checkpoint,
            obligations=[{**o, "words": views.status_words(o)} for o in report["obligations"]],
        )

    def rules(self, request: Request) -> Response:
        from cpworkflow.reports import selfdoc

        packs = [p["id"] for p in selfdoc.policies()]
        p = Params(request.query_params, {"pack"})
        pack = p.choice("pack", packs) or "default"
        return self.render(request, "rules.html", doc=selfdoc.rules(pack), packs=packs, pack=pack)


def _case_id(request: Request) -> str:
    value = str(request.path_params["case_id"])
    if not value or len(value) > 64 or not value.isprintable():
        raise BadInputError("is not a case reference", field="case")
    return value


def _link(path: str, query: dict[str, Any]) -> str:
    return f"{path}?{urlencode(query)}" if query else path
