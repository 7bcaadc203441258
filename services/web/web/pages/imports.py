"""The culture office's imports: three CSV files uploaded, or an SS 12000 server read, first as a
dry run whose report the office reads, then confirmed.

What was uploaded waits in Redis for 30 minutes under a random id, for this browser's session
and account only, so the confirming form carries only that id: the files never travel back
through the browser, and a file the office does not replace is kept for the next try."""

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import ImportReport, NotFound, Platform, Refused, ServiceDown
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)

DRAFT_SECONDS = 30 * 60
# The gateway takes bodies up to 1 MiB; the files' text, escaped into JSON, must fit in one.
MAX_TOTAL_BYTES = 900_000
MAX_URL = 2000
MAX_TOKEN = 4000
FILES = ("units", "groups", "teachers")
FILE_NAMES = {"units": "units.csv", "groups": "groups.csv", "teachers": "teachers.csv"}
DraftId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


@dataclass
class Draft:
    """One import on its way: the files (or the SS 12000 server), the last report, the problems."""

    owner: str
    kind: str  # "csv" or "ss12000"
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # field: {name, text}
    url: str = ""
    token: str = ""
    report: dict[str, Any] | None = None
    # field (or "form"): problems, each {"message", "line", "column", "ours"}; "ours" are the
    # page's own words, translated when shown; the directory's are shown as it wrote them.
    problems: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    done: bool = False


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _office(request: Request, visitor: Visitor) -> str:
    """The administrator's access token; anyone else is refused before anything is read."""
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


def _owner(visitor: Visitor) -> str:
    """This browser's session (its form cookie) and this account: another browser, or another
    account on this one, finds nothing under the id."""
    assert visitor.signed_in is not None
    claims = jwt.decode(visitor.signed_in.access_token, options={"verify_signature": False})
    who = f"{visitor.csrf_cookie}|{claims.get('sub')}|{visitor.signed_in.municipality_id}"
    return hashlib.sha256(who.encode()).hexdigest()


def _key(draft_id: str) -> str:
    return f"web:import:{draft_id}"


async def _load(request: Request, visitor: Visitor, draft_id: str | None) -> Draft | None:
    if not draft_id:
        return None
    stored = await request.app.state.redis.get(_key(draft_id))
    if not stored:
        return None
    draft = Draft(**json.loads(stored))
    return draft if secrets.compare_digest(draft.owner, _owner(visitor)) else None


async def _save(request: Request, draft_id: str, draft: Draft) -> None:
    await request.app.state.redis.set(_key(draft_id), json.dumps(asdict(draft)), ex=DRAFT_SECONDS)


def _new_id() -> str:
    return secrets.token_urlsafe(24)


def _read_upload(raw: bytes) -> str | None:
    """A file saved as UTF-8 ("CSV UTF-8"), with or without its byte-order mark."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def ours(message: str) -> dict[str, Any]:
    return {"message": message, "line": None, "column": None, "ours": True}


def _line_problems(refused: Refused) -> dict[str, list[dict[str, Any]]]:
    """The directory's bad lines, each beside the file it is in."""
    by_name = {name: field for field, name in FILE_NAMES.items()}
    problems: dict[str, list[dict[str, Any]]] = {}
    for error in refused.errors:
        if isinstance(error, dict) and error.get("message"):
            problems.setdefault(by_name.get(str(error.get("file")), "form"), []).append(
                {
                    "message": str(error["message"]),
                    "line": error.get("line"),
                    "column": error.get("column"),
                    "ours": False,
                }
            )
    if not problems:
        problems["form"] = [ours(N_("The files could not be imported."))]
    return problems


def _render_draft(
    request: Request, draft_id: str | None, draft: Draft | None, status_code: int = 200
) -> HTMLResponse:
    report = ImportReport.model_validate(draft.report) if draft and draft.report else None
    return render(
        request,
        "office/imports.html",
        status_code=status_code,
        headers=NO_STORE,
        draft_id=draft_id,
        draft=draft,
        report=report,
        problems=draft.problems if draft else {},
        file_fields=FILES,
        file_names=FILE_NAMES,
    )


@router.get("/office/imports", response_class=HTMLResponse)
async def imports_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    _office(request, visitor)
    return _render_draft(request, None, None)


@router.get("/office/imports/{draft_id}", response_class=HTMLResponse)
async def an_import(request: Request, visitor: VisitorDep, draft_id: DraftId) -> HTMLResponse:
    _office(request, visitor)
    draft = await _load(request, visitor, draft_id)
    if draft is None:
        raise NotFound(draft_id)
    return _render_draft(request, draft_id, draft)


@router.post("/office/imports/csv")
async def check_csv_files(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    """A dry run of the uploaded files (or those kept from the last try)."""
    token = _office(request, visitor)
    draft_id = form.get("draft", "")
    draft = await _load(request, visitor, draft_id) if draft_id else None
    if draft is None or draft.kind != "csv" or draft.done:
        draft_id, draft = _new_id(), Draft(owner=_owner(visitor), kind="csv")
    draft.problems, draft.report = {}, None
    uploads = await request.form()
    for name in FILES:
        upload = uploads.get(name)
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        text = _read_upload(await upload.read(MAX_TOTAL_BYTES + 1))
        if text is None:
            draft.files.pop(name, None)
            draft.problems[name] = [
                ours(N_('This file is not UTF-8 text. Save it as "CSV UTF-8" and choose it again.'))
            ]
        elif not text.strip():
            draft.files.pop(name, None)
            draft.problems[name] = [ours(N_("This file is empty. Choose the file with the lines."))]
        else:
            draft.files[name] = {"name": upload.filename[-200:], "text": text}
    for name in FILES:
        if name not in draft.files and name not in draft.problems:
            draft.problems[name] = [ours(N_("Choose the file."))]
    total = sum(len(kept["text"].encode()) for kept in draft.files.values())
    if total > MAX_TOTAL_BYTES:
        draft.problems.setdefault("form", []).append(
            ours(N_("Together the files may be at most 900 kB. Import fewer schools at a time."))
        )
    if not draft.problems:
        await _run_csv(request, visitor, token, draft, dry_run=True)
    await _save(request, draft_id, draft)
    return see_other(f"/office/imports/{draft_id}")


async def _run_csv(
    request: Request, visitor: Visitor, token: str, draft: Draft, *, dry_run: bool
) -> None:
    texts = {name: draft.files[name]["text"] for name in FILES}
    try:
        report = await _platform(request).import_csv(token, texts, dry_run, visitor.address)
    except Refused as refused:
        draft.problems = _line_problems(refused)
        return
    draft.report = report.model_dump()
    if not dry_run:
        # Written: the files are no longer needed, only the report to show.
        draft.done, draft.files = True, {}


@router.post("/office/imports/{draft_id}/confirm")
async def confirm_import(
    request: Request, visitor: VisitorDep, form: CheckedFormDep, draft_id: DraftId
) -> Response:
    token = _office(request, visitor)
    draft = await _load(request, visitor, draft_id)
    if draft is None:
        raise NotFound(draft_id)
    if draft.done or draft.report is None or draft.problems:
        return see_other(f"/office/imports/{draft_id}")
    draft.report = None
    if draft.kind == "csv":
        await _run_csv(request, visitor, token, draft, dry_run=False)
    else:
        await _run_ss12000(request, visitor, token, draft, dry_run=False)
    await _save(request, draft_id, draft)
    return see_other(f"/office/imports/{draft_id}")


@router.post("/office/imports/ss12000")
async def check_ss12000(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    token = _office(request, visitor)
    draft_id, draft = _new_id(), Draft(owner=_owner(visitor), kind="ss12000")
    draft.url, draft.token = form.get("url", "").strip(), form.get("token", "").strip()
    if not draft.url.startswith(("https://", "http://")) or len(draft.url) > MAX_URL:
        draft.problems["url"] = [ours(N_("Write the address of the SS 12000 API, from https://."))]
    if not draft.token or len(draft.token) > MAX_TOKEN:
        draft.problems["token"] = [ours(N_("Write the token the SS 12000 server gave you."))]
    if not draft.problems:
        await _run_ss12000(request, visitor, token, draft, dry_run=True)
    # A token that failed is not kept; the office writes it again.
    if draft.problems:
        draft.token = ""
    await _save(request, draft_id, draft)
    return see_other(f"/office/imports/{draft_id}")


async def _run_ss12000(
    request: Request, visitor: Visitor, token: str, draft: Draft, *, dry_run: bool
) -> None:
    platform = _platform(request)
    try:
        report = await platform.import_ss12000(
            token, draft.url, draft.token, dry_run, visitor.address
        )
    except Refused:
        draft.problems = {
            "token": [ours(N_("The SS 12000 server refused the address or the token. Check both."))]
        }
        return
    except ServiceDown:
        draft.problems = {
            "url": [ours(N_("The SS 12000 server did not answer as expected. Check the address."))]
        }
        return
    draft.report = report.model_dump()
    if not dry_run:
        draft.done, draft.token = True, ""
