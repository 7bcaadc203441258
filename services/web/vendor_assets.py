"""Rebuilds the web's vendored assets in web/static/ from pinned npm packages; run by hand.

    python services/web/vendor_assets.py    # needs npm; then commit web/static/

Nothing is fetched when Kulturbro is installed or run: the files this writes are committed and
served by the web service itself. kulturbro.css is the one stylesheet a page loads: the Inter
font faces, Designsystemet's default theme and all its component CSS as published (21 kB
gzipped, well inside a page's 100 kB budget, so nothing is cut), then our own layout glue from
styles/layout.css. Edit layout.css and run this again; a test fails when they differ.
"""

import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "web" / "static"
LAYOUT = HERE / "styles" / "layout.css"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str
    licence_file: str  # inside the package, copied to static/licenses/


DESIGNSYSTEMET = Package("@digdir/designsystemet-css", "1.22.0", "MIT", "LICENSE")
INTER = Package("@fontsource-variable/inter", "5.3.0", "OFL-1.1", "LICENSE")
HTMX = Package("htmx.org", "2.0.11", "0BSD", "LICENSE")
PACKAGES = (DESIGNSYSTEMET, INTER, HTMX)

# Latin covers sv/fi/en; latin-ext the names of other Nordic and European languages. The
# browser fetches a face only when a page uses a character in its unicode-range.
FONT_SUBSETS = ("latin-ext", "latin")


def unicode_range(fontsource_css: str, subset: str) -> str:
    block = fontsource_css.split(f"/* inter-{subset}-wght-normal */", 1)[1]
    return block.split("unicode-range:", 1)[1].split(";", 1)[0].strip()


def font_faces(fontsource_css: str) -> str:
    # Named "Inter" because that is the family Designsystemet's theme asks for.
    return "".join(
        "@font-face{font-family:Inter;font-style:normal;font-display:swap;font-weight:100 900;"
        f"src:url(fonts/inter-{subset}-wght-normal.woff2) format('woff2');"
        f"unicode-range:{unicode_range(fontsource_css, subset)}}}\n"
        for subset in FONT_SUBSETS
    )


def header() -> str:
    return (
        "/* Kulturbro's stylesheet, built by services/web/vendor_assets.py: do not edit here.\n"
        f" * {DESIGNSYSTEMET.name} {DESIGNSYSTEMET.version} ({DESIGNSYSTEMET.licence}), "
        f"{INTER.name} {INTER.version} ({INTER.licence});\n"
        " * licences in licenses/, versions in VENDORED.md. Our own glue is last. */\n"
    )


def stylesheet(fontsource_css: str, theme: str, components: str, layout: str) -> str:
    return (
        header()
        + font_faces(fontsource_css)
        + theme.strip()
        + "\n"
        + components.strip()
        + "\n/* Kulturbro's layout glue (services/web/styles/layout.css) */\n"
        + layout
    )


def unpack(package: Package, into: Path) -> Path:
    spec = f"{package.name}@{package.version}"
    tgz = subprocess.run(
        ["npm", "pack", "--silent", spec],
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    folder = into / tgz.removesuffix(".tgz")
    with tarfile.open(into / tgz) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def main() -> None:
    if shutil.which("npm") is None:
        sys.exit("vendor_assets: npm is needed to fetch the pinned packages")
    with tempfile.TemporaryDirectory() as tmp:
        root = {p: unpack(p, Path(tmp)) for p in PACKAGES}
        licenses = STATIC / "licenses"
        fonts = STATIC / "fonts"
        licenses.mkdir(parents=True, exist_ok=True)
        fonts.mkdir(parents=True, exist_ok=True)
        for package in PACKAGES:
            target = licenses / f"{package.name.lstrip('@').replace('/', '-')}.LICENSE.txt"
            shutil.copyfile(root[package] / package.licence_file, target)
        for subset in FONT_SUBSETS:
            name = f"inter-{subset}-wght-normal.woff2"
            shutil.copyfile(root[INTER] / "files" / name, fonts / name)
        shutil.copyfile(root[HTMX] / "dist" / "htmx.min.js", STATIC / "htmx.min.js")
        dist = root[DESIGNSYSTEMET] / "dist"
        (STATIC / "kulturbro.css").write_text(
            stylesheet(
                (root[INTER] / "wght.css").read_text(),
                (dist / "theme" / "designsystemet.css").read_text(),
                (dist / "src" / "index.css").read_text(),
                LAYOUT.read_text(),
            )
        )
    print(f"vendor_assets: wrote {STATIC}")


if __name__ == "__main__":
    main()
