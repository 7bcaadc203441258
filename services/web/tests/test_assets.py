"""The web's assets: content-hashed names, long caching, gzip, and the vendored files themselves."""

import gzip
import hashlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import httpx
import jinja2
import pytest
from fastapi import FastAPI

from web.assets import CACHE_FOREVER, Assets, UnknownAsset, accepts_gzip

WEB = Path(__file__).resolve().parents[1]
STATIC = WEB / "web" / "static"
CSS = "body{color:red}\n" * 50 + "@font-face{src:url('fonts/face.woff2') format('woff2')}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "face.woff2").write_bytes(b"wOF2 not really a font")
    (tmp_path / "site.css").write_text(CSS)
    (tmp_path / "app.min.js").write_text("console.log('kulturbro');\n" * 40)
    (tmp_path / "VENDORED.md").write_text("# not served\n")
    return tmp_path


async def get(assets: Assets, url: str, **headers: str) -> httpx.Response:
    app = FastAPI()
    app.include_router(assets.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
        return await client.get(url, headers=headers)


def test_a_name_carries_the_hash_of_its_content(folder: Path) -> None:
    js = (folder / "app.min.js").read_bytes()
    digest = hashlib.sha256(js).hexdigest()[:12]
    assert Assets(folder).url("app.min.js") == f"/assets/app.min.{digest}.js"

    (folder / "app.min.js").write_text("console.log('changed');\n")
    assert Assets(folder).url("app.min.js") != f"/assets/app.min.{digest}.js"


async def test_css_refers_to_the_hashed_names_of_its_fonts(folder: Path) -> None:
    assets = Assets(folder)
    css = (await get(assets, assets.url("site.css"))).text
    font = assets.url("fonts/face.woff2").removeprefix("/assets/")
    assert f"url({font})" in css
    assert "face.woff2'" not in css
    # The served CSS is what was hashed, so the name changes when a font does.
    assert assets.url("site.css").split(".")[-2] == hashlib.sha256(css.encode()).hexdigest()[:12]


def test_css_referring_to_a_missing_file_stops_the_start(folder: Path) -> None:
    (folder / "broken.css").write_text("a{background:url(missing.png)}")
    with pytest.raises(UnknownAsset, match=r"broken.css refers to 'missing.png'"):
        Assets(folder)


async def test_an_asset_is_served_for_a_year_with_its_type(folder: Path) -> None:
    assets = Assets(folder)
    response = await get(assets, assets.url("fonts/face.woff2"))
    assert response.status_code == 200
    assert response.content == b"wOF2 not really a font"
    assert response.headers["cache-control"] == CACHE_FOREVER
    assert response.headers["content-type"] == "font/woff2"
    assert "content-encoding" not in response.headers

    js = await get(assets, assets.url("app.min.js"))
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"


async def test_text_is_gzipped_only_for_clients_that_accept_it(folder: Path) -> None:
    assets = Assets(folder)
    url = assets.url("site.css")
    zipped = await get(assets, url, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(CSS)
    assert zipped.headers["content-type"] == "text/css; charset=utf-8"

    plain = await get(assets, url, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == zipped.text  # httpx undid the gzip of the first


async def test_unknown_unhashed_and_unserved_names_are_not_found(folder: Path) -> None:
    assets = Assets(folder)
    for unknown in ("nothing.3f9a1c2b4d5e.css", "site.css", "VENDORED.md"):
        assert (await get(assets, f"/assets/{unknown}")).status_code == 404
    with pytest.raises(UnknownAsset, match=r"no asset 'VENDORED\.md'"):
        assets.url("VENDORED.md")


async def test_a_cached_copy_is_confirmed_without_a_body(folder: Path) -> None:
    assets = Assets(folder)
    first = await get(assets, assets.url("app.min.js"))
    again = await get(assets, assets.url("app.min.js"), **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_templates_get_asset_url(folder: Path) -> None:
    assets = Assets(folder)
    environment = jinja2.Environment(autoescape=True)
    assets.register(environment)
    html = environment.from_string("<link href=\"{{ asset_url('site.css') }}\">").render()
    assert html == f'<link href="{assets.url("site.css")}">'


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, identity", False),
        ("identity", False),
        (None, False),
    ],
)
def test_accept_encoding(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


# The vendored files themselves.


def vendor_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_assets", WEB / "vendor_assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pages_assets_fit_the_page_weight_budget() -> None:
    # A page may send 100 kB of HTML, CSS and JavaScript (gzipped); keep half for the HTML.
    assets = Assets()
    sizes = {
        name: len(gzip.compress((STATIC / name).read_bytes(), 9))
        for name in ("kulturbro.css", "htmx.min.js")
    }
    assert sum(sizes.values()) < 50_000, sizes
    assert assets.url("fonts/inter-latin-wght-normal.woff2").endswith(".woff2")


def test_nothing_in_the_stylesheet_loads_from_elsewhere() -> None:
    css = (STATIC / "kulturbro.css").read_text()
    assert "@import" not in css
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        assert url.startswith(("data:", "fonts/")), url


def test_the_stylesheet_ends_with_the_current_layout_glue() -> None:
    layout = (WEB / "styles" / "layout.css").read_text()
    assert (STATIC / "kulturbro.css").read_text().endswith(layout), (
        "styles/layout.css changed: run python services/web/vendor_assets.py"
    )


def test_every_vendored_package_is_recorded_with_its_version_and_licence() -> None:
    record = (STATIC / "VENDORED.md").read_text()
    for package in vendor_script().PACKAGES:
        row = next((line for line in record.splitlines() if f"`{package.name}`" in line), "")
        assert package.version in row and package.licence in row, package
        licence_file = f"{package.name.lstrip('@').replace('/', '-')}.LICENSE.txt"
        assert (STATIC / "licenses" / licence_file).is_file()
        assert licence_file in row
