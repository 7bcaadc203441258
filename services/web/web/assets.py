"""The web's static files under content-hashed names, so a browser may keep each one forever."""

import gzip
import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from fastapi import APIRouter, Request, Response

CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# woff2 and png are compressed already; gzip would only cost time.
COMPRESSIBLE = {".css", ".js", ".svg", ".txt"}
CACHE_FOREVER = "public, max-age=31536000, immutable"
STATIC = Path(__file__).with_name("static")
# A CSS url() to a file of the folder; data:, absolute and external ones are left alone.
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?![a-z]+:|/|#)([^'")?#]+)\1\s*\)""", re.IGNORECASE)


class UnknownAsset(LookupError):
    pass


@dataclass(frozen=True)
class Asset:
    hashed_name: str
    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


class Assets:
    """Reads the static folder once at start: each file's hash, its CSS rewritten to the hashed
    names it refers to (fonts), and its gzipped body. Files of other types (VENDORED.md) are
    not served."""

    def __init__(self, folder: Path = STATIC, prefix: str = "/assets") -> None:
        self.prefix = prefix.rstrip("/")
        self._hashed: dict[str, str] = {}
        self._assets: dict[str, Asset] = {}
        files = sorted(
            path.relative_to(folder).as_posix()
            for path in folder.rglob("*")
            if path.is_file() and path.suffix in CONTENT_TYPES
        )
        # CSS last: its url()s need the hashed names of what they point at.
        for name in sorted(files, key=lambda name: name.endswith(".css")):
            body = (folder / name).read_bytes()
            if name.endswith(".css"):
                body = self._rewrite_css(name, body.decode()).encode()
            self._add(name, body)
        self.router = self._make_router()

    def url(self, name: str) -> str:
        """`/assets/kulturbro.3f9a1c2b4d5e.css` for `kulturbro.css`."""
        try:
            return f"{self.prefix}/{self._hashed[name]}"
        except KeyError:
            raise UnknownAsset(f"no asset {name!r}; the static folder has {self.names()}") from None

    def names(self) -> list[str]:
        return sorted(self._hashed)

    def register(self, environment: jinja2.Environment) -> None:
        """Makes `{{ asset_url('kulturbro.css') }}` available in every template."""
        environment.globals["asset_url"] = self.url

    def _add(self, name: str, body: bytes) -> None:
        stem, suffix = posixpath.splitext(name)
        digest = hashlib.sha256(body).hexdigest()[:12]
        hashed_name = f"{stem}.{digest}{suffix}"
        gzipped = gzip.compress(body, compresslevel=9, mtime=0) if suffix in COMPRESSIBLE else None
        self._hashed[name] = hashed_name
        self._assets[hashed_name] = Asset(
            hashed_name=hashed_name,
            body=body,
            gzipped=gzipped if gzipped is not None and len(gzipped) < len(body) else None,
            content_type=CONTENT_TYPES[suffix],
            etag=f'"{digest}"',
        )

    def _rewrite_css(self, name: str, css: str) -> str:
        folder = posixpath.dirname(name)

        def hashed(match: re.Match[str]) -> str:
            target = posixpath.normpath(posixpath.join(folder, match.group(2).strip()))
            if target not in self._hashed:
                raise UnknownAsset(f"{name} refers to {match.group(2)!r}, not in the folder")
            relative = posixpath.relpath(self._hashed[target], folder or ".")
            return f"url({relative})"

        return CSS_URL.sub(hashed, css)

    def _make_router(self) -> APIRouter:
        router = APIRouter(tags=["assets"])

        @router.api_route(
            f"{self.prefix}/{{name:path}}", methods=["GET", "HEAD"], include_in_schema=False
        )
        async def asset(name: str, request: Request) -> Response:
            found = self._assets.get(name)
            if found is None:
                return Response("no such asset", status_code=404, media_type="text/plain")
            headers = {"Cache-Control": CACHE_FOREVER, "ETag": found.etag}
            if found.gzipped is not None:
                headers["Vary"] = "Accept-Encoding"
            if found.etag in request.headers.get("if-none-match", ""):
                return Response(status_code=304, headers=headers)
            body = found.body
            if found.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding")):
                body = found.gzipped
                headers["Content-Encoding"] = "gzip"
            return Response(body, headers=headers, media_type=found.content_type)

        return router


def accepts_gzip(accept_encoding: str | None) -> bool:
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return not re.fullmatch(r"0(\.0*)?", quality)
    return False
