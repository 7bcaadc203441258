#!/usr/bin/env python3
"""Prove the Dockerfile builds every service's image, without a Docker engine.

    python3 deploy/replay_dockerfile.py [--service NAME ...] [--jobs N] [--wheelhouse DIR] [--again]

For each service, the stage that runs `pip install` is replayed in a scratch directory that
holds only what its COPY lines take from the build context (.dockerignore applied): the same
ENV, WORKDIR and ARG SERVICE, its `python -m venv` and its `pip install` verbatim, but with
the package index switched off (PIP_NO_INDEX) and only third-party wheels to choose from
(PIP_FIND_LINKS). To save time, the venv every image shares (the same steps without the
service's own package) is made once, and each service's `pip install` runs in a copy of it.
An internal package the Dockerfile does not copy and install from the repository is then "not
found", as it would be looked up on the public index in a real build. Finally every installed
kulturbro-* distribution must come from a local directory, and the service's app and the
`kulturbro` command must import.

The wheelhouse holds the third-party wheels the internal packages name (and their build
backend), pinned by constraints.txt; it is downloaded once (needs PyPI) and reused, keyed by
what it was made from. Pass --wheelhouse to bring your own. A service whose replay passed is
not replayed again while nothing it depends on changes (the copied files, the Dockerfile, the
wheels, Python, this check); --again replays it anyway. What passed lives in the checkout's
.kulturbro/; the wheelhouse in the user's cache (XDG_CACHE_HOME, else ~/.cache), shared by every
checkout and clone on the machine, as its key says exactly what it holds.

Only the instructions the build stage uses are understood (ARG, ENV, WORKDIR, COPY, and RUN
of `python -m venv` or `pip install`); anything else fails the check by name, so it is taught
here instead of being skipped.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERNAL_PREFIX = "kulturbro-"
CACHE = ROOT / ".kulturbro" / "dockerfile-replay"
WHEELHOUSES = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kulturbro" / "wheelhouses"
)
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class ReplayError(Exception):
    pass


# --- the Dockerfile ------------------------------------------------------------------------


@dataclass
class Instruction:
    line: int
    keyword: str
    arguments: str


@dataclass
class Stage:
    name: str
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages with their instructions; continuation lines joined, comments dropped."""
    stages: list[Stage] = []
    global_args: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction is dropped, as Docker does
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        pending = ""
        instruction = Instruction(start, keyword.upper(), arguments.strip())
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
            stages.append(Stage(name))
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            global_args.append(instruction)
    return stages


def build_stage(stages: list[Stage]) -> Stage:
    """The one stage that installs packages: what the image's venv is made of."""
    found = [
        s
        for s in stages
        if any(i.keyword == "RUN" and "pip install" in i.arguments for i in s.instructions)
    ]
    if len(found) != 1:
        raise ReplayError(f"expected one stage that runs pip install, found {len(found)}")
    return found[0]


def expand(value: str, variables: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: variables.get(m[1] or m[2], ""), value)


# --- the build context ---------------------------------------------------------------------


@dataclass
class DockerIgnore:
    """.dockerignore as Docker reads it: the last matching pattern wins, `!` re-includes,
    and a pattern that matches a directory matches everything in it."""

    patterns: list[tuple[re.Pattern[str], bool]]
    reincluded: list[str]  # the `!` patterns as written, to know which directories to walk

    @classmethod
    def read(cls, path: Path) -> DockerIgnore:
        lines = path.read_text().splitlines() if path.exists() else []
        patterns, reincluded = [], []
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            include = line.startswith("!")
            pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
            patterns.append((re.compile(_pattern_regex(pattern)), include))
            if include:
                reincluded.append(pattern)
        return cls(patterns, reincluded)

    def excludes(self, relative: str) -> bool:
        parts = relative.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for regex, include in self.patterns:
            if any(regex.fullmatch(candidate) for candidate in candidates):
                excluded = not include
        return excluded


def _pattern_regex(pattern: str) -> str:
    regex, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                regex += "(?:.*/)?"
            else:
                regex += ".*"
            continue
        if char == "*":
            regex += "[^/]*"
        elif char == "?":
            regex += "[^/]"
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                regex += re.escape(char)
            else:
                regex += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            regex += re.escape(pattern[i])
        else:
            regex += re.escape(char)
        i += 1
    return regex


def copy_into(context: Path, ignore: DockerIgnore, source: str, destination: Path) -> int:
    """COPY source destination, taking only what the build context holds; returns the count."""
    source = source.rstrip("/") or "."
    origin = context / source
    if ignore.excludes(source) and not origin.is_dir():
        raise ReplayError(f"COPY {source}: not in the build context (.dockerignore)")
    if not origin.exists():
        raise ReplayError(f"COPY {source}: no such file in the build context")
    if origin.is_file():
        target = destination / origin.name if destination.is_dir() else destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)
        return 1
    copied = 0
    for directory, subdirectories, files in os.walk(origin):
        here = Path(directory)
        relative = here.relative_to(context).as_posix()
        # Excluded directories are walked anyway only if a `!` pattern might take something back.
        subdirectories[:] = [d for d in subdirectories if not _pruned(ignore, f"{relative}/{d}")]
        for name in files:
            path = f"{relative}/{name}"
            if ignore.excludes(path):
                continue
            target = destination / (here / name).relative_to(origin)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(here / name, target)
            copied += 1
    if not copied:
        raise ReplayError(f"COPY {source}: nothing of it is in the build context (.dockerignore)")
    return copied


def _pruned(ignore: DockerIgnore, relative: str) -> bool:
    """An excluded directory no `!` pattern can reach into (as Docker skips walking it)."""
    if not ignore.excludes(relative):
        return False
    parts = relative.split("/")
    for pattern in ignore.reincluded:
        segments = pattern.split("/")
        if "**" in pattern or (
            len(segments) > len(parts)
            and all(
                re.fullmatch(_pattern_regex(s), p) for s, p in zip(segments, parts, strict=False)
            )
        ):
            return False
    return True


# --- the wheelhouse ------------------------------------------------------------------------


def internal_packages() -> dict[str, Path]:
    """Every distribution in libs/ and services/, by its name."""
    found = {}
    for pyproject in sorted(
        [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")]
    ):
        project = tomllib.loads(pyproject.read_text())["project"]
        found[_canonical(project["name"])] = pyproject.parent
    return found


def dependencies(roots: list[Path]) -> tuple[set[str], set[str]]:
    """The internal distributions the packages in roots need, themselves included, and the
    third-party requirements of them all (with the build backend that builds them)."""
    packages = internal_packages()
    todo, internal, third_party = list(roots), set(), set()
    while todo:
        pyproject = tomllib.loads((todo.pop() / "pyproject.toml").read_text())
        name = _canonical(pyproject["project"]["name"])
        if name in internal:
            continue
        internal.add(name)
        third_party.update(pyproject.get("build-system", {}).get("requires", []))
        for requirement in pyproject["project"].get("dependencies", []):
            needed = _canonical(re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0])
            if needed in packages:
                todo.append(packages[needed])
            elif needed.startswith(INTERNAL_PREFIX):
                raise ReplayError(f"{name} needs {needed}, which is not in the repository")
            else:
                third_party.add(requirement)
    return internal, third_party


def third_party_requirements(services: list[str]) -> list[str]:
    """What the services and the `kulturbro` command need from outside the repository."""
    return sorted(
        dependencies([ROOT / "libs" / "cli", *(ROOT / "services" / s for s in services)])[1]
    )


def ensure_wheelhouse(base: Path, requirements: list[str], constraints: Path) -> Path:
    key = hashlib.sha256(
        json.dumps(
            [sys.version_info[:2], sys.platform, requirements, constraints.read_text()]
        ).encode()
    ).hexdigest()[:16]
    wheelhouse = base / key
    if (wheelhouse / ".complete").exists():
        return wheelhouse
    shutil.rmtree(base, ignore_errors=True)  # wheels for constraints that no longer hold
    print(f"      downloading the third-party wheels once into {wheelhouse}", flush=True)
    wheelhouse.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    download += [
        "--only-binary=:all:",
        "-c",
        str(constraints),
        "-d",
        str(wheelhouse),
        *requirements,
    ]
    result = subprocess.run(download, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReplayError(f"cannot download the wheelhouse:\n{result.stdout}{result.stderr}")
    smuggled = [
        w.name for w in wheelhouse.iterdir() if _canonical(w.name).startswith(INTERNAL_PREFIX)
    ]
    if smuggled:
        raise ReplayError(f"the wheelhouse holds internal packages from an index: {smuggled}")
    (wheelhouse / ".complete").touch()
    return wheelhouse


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the replay ----------------------------------------------------------------------------


@dataclass
class Run:
    where: str
    command: str
    env: dict[str, str]
    cwd: Path

    @property
    def makes_venv(self) -> bool:
        return shlex.split(self.command)[:3] == ["python", "-m", "venv"]


@dataclass
class Plan:
    """One service's build stage, laid out under root and ready to run."""

    service: str
    root: Path
    runs: list[Run]
    venv: Path
    copied: int
    fingerprint: str  # of everything the outcome depends on


def plan(dockerfile: Path, service: str, scratch: Path, wheelhouse: Path) -> Plan:
    root = scratch / "rootfs"
    runs, venv, copied = lay_out(dockerfile, service, root, scratch / "home", wheelhouse)
    missing = dependencies([ROOT / "services" / service])[0] - installed_from_repository(runs)
    if missing:
        raise ReplayError(
            f"{', '.join(sorted(missing))}: needed by {service} but not copied and installed "
            f"from the repository, so pip would look on the public index for it"
        )
    fingerprint = hashlib.sha256(
        "\n".join(
            [
                dockerfile.read_text(),
                Path(__file__).read_text(),
                sys.version,
                *sorted(w.name for w in wheelhouse.glob("*.whl")),
                *sorted(
                    f"{p.relative_to(root)} {hashlib.sha256(p.read_bytes()).hexdigest()}"
                    for p in root.rglob("*")
                    if p.is_file()
                ),
            ]
        ).encode()
    ).hexdigest()
    return Plan(service, root, runs, venv, copied, fingerprint)


def common_venv(any_plan: Plan) -> Path:
    """The venv every image shares: the build stage's steps without the service's own package.

    Each service's replay starts from a copy of it instead of an empty venv, which halves the
    time (two thirds of the third-party packages are the libraries'); the service's own
    `pip install` still runs verbatim on top, so what ends up installed is the same."""
    own = _distribution(ROOT / "services" / any_plan.service)
    for run in any_plan.runs:
        words = shlex.split(expand(run.command, run.env))
        if not run.makes_venv:
            words = [w for w in words if _distribution(run.cwd / w) != own]
        _run(Run(run.where, shlex.join(words), run.env, run.cwd))
    return any_plan.venv


def replay(plan: Plan, common: Path) -> str:
    """Build the service's venv as the Dockerfile does and check it; a one-line summary."""
    _copy_venv(common, plan.venv)
    for run in plan.runs:
        if not run.makes_venv:
            _run(run)
    check = subprocess.run(
        [str(plan.venv / "bin" / "python"), "-I", __file__, "--check-installed", plan.service],
        cwd=plan.root,
        env={"PATH": plan.runs[-1].env["PATH"], "HOME": plan.runs[-1].env["HOME"]},
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise ReplayError(f"the built venv does not hold up:\n{check.stdout}{check.stderr}")
    return f"{plan.copied} files copied; {check.stdout.strip()}"


def _run(run: Run) -> None:
    result = subprocess.run(
        ["sh", "-c", run.command],
        cwd=run.cwd,
        env=run.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise ReplayError(f"{run.where} failed (index switched off):\n{output}")


def _copy_venv(source: Path, target: Path) -> None:
    """A venv moved: hard links for speed (pip replaces files, never writes into them), and new
    files where the old location is written down (scripts' #! lines, pyvenv.cfg)."""
    shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    for path in [*(target / "bin").iterdir(), target / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        content = path.read_bytes()
        if str(source).encode() in content:
            mode = path.stat().st_mode
            path.unlink()
            path.write_bytes(content.replace(str(source).encode(), str(target).encode()))
            path.chmod(mode)


def _is_pip_install(words: list[str]) -> bool:
    pip = words[:2] == ["pip", "install"] or words[:4] == ["python", "-m", "pip", "install"]
    return pip and not any(w in ("&&", "||", "|") or w.endswith(";") for w in words)


def installed_from_repository(runs: list[Run]) -> set[str]:
    """The distributions the pip install steps name by a directory holding a pyproject.toml."""
    names = set()
    for run in runs:
        if _is_pip_install(shlex.split(run.command)):
            names.update(
                _distribution(run.cwd / w) for w in shlex.split(expand(run.command, run.env))
            )
    return names - {None}


def _distribution(directory: Path) -> str | None:
    pyproject = directory / "pyproject.toml"
    if not pyproject.is_file():
        return None
    return _canonical(tomllib.loads(pyproject.read_text())["project"]["name"])


def lay_out(
    dockerfile: Path, service: str, root: Path, home: Path, wheelhouse: Path
) -> tuple[list[Run], Path, int]:
    """Copy what the build stage copies under root, as the image lays it out; return its RUN
    steps (with the environment each sees), the venv they make and how many files were copied.
    Doing the copies first changes nothing: no RUN writes where a later COPY does."""
    stage = build_stage(parse_dockerfile(dockerfile.read_text()))
    context, ignore = dockerfile.parent, DockerIgnore.read(dockerfile.parent / ".dockerignore")
    root.mkdir(parents=True)
    variables = {"SERVICE": service}
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    env["HOME"] = str(home)
    # Set last, over the Dockerfile's ENV: no configuration or variable can bring an index back.
    offline = {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        # Byte-compiling costs more than the rest of an install and proves nothing importing
        # does not.
        "PIP_NO_COMPILE": "1",
    }
    workdir, venv, copied, runs = "/", "", 0, []

    def inside(path: str) -> Path:
        return root / path.lstrip("/")

    def mapped(text: str) -> str:
        # Absolute paths of the image, as this replay lays them out under root.
        for path in sorted({workdir, venv} - {"", "/"}, key=len, reverse=True):
            text = text.replace(path, str(inside(path)))
        return text

    for instruction in stage.instructions:
        where = f"{dockerfile.name}:{instruction.line} {instruction.keyword}"
        arguments = instruction.arguments
        if instruction.keyword == "ARG":
            name, _, default = arguments.partition("=")
            variables.setdefault(name.strip(), default.strip())
            env.setdefault(name.strip(), variables[name.strip()])
        elif instruction.keyword == "ENV":
            words = shlex.split(arguments)
            pairs = (
                [w.partition("=")[::2] for w in words]
                if "=" in words[0]
                else [(words[0], " ".join(words[1:]))]
            )
            for name, value in pairs:
                env[name] = mapped(expand(value, env | variables))
        elif instruction.keyword == "WORKDIR":
            workdir = expand(arguments, variables)
            inside(workdir).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "COPY":
            words = [expand(w, variables) for w in shlex.split(arguments)]
            if any(w.startswith("--") for w in words):
                raise ReplayError(f"{where}: options are not replayed: {arguments}")
            *sources, destination = words
            target = inside(
                destination if destination.startswith("/") else f"{workdir}/{destination}"
            )
            if destination.endswith("/") or len(sources) > 1:
                target.mkdir(parents=True, exist_ok=True)
            for source in sources:
                copied += copy_into(context, ignore, source, target)
        elif instruction.keyword == "RUN":
            words = shlex.split(arguments)
            if words[:3] == ["python", "-m", "venv"] and len(words) == 4:
                venv = words[3]
            elif not _is_pip_install(words):
                raise ReplayError(
                    f"{where}: only `python -m venv DIR` and a lone `pip install` are replayed"
                )
            runs.append(Run(where, mapped(arguments), env | offline, inside(workdir)))
        else:
            raise ReplayError(f"{where}: not understood by {Path(__file__).name}")
    if not venv:
        raise ReplayError("the build stage makes no venv (RUN python -m venv ...)")
    return runs, inside(venv), copied


def check_installed(service: str) -> None:
    """Run inside the replayed venv: internal packages came from the repository, and what the
    image runs imports."""
    from importlib.metadata import distributions, entry_points

    internal = sorted(
        (d for d in distributions() if _canonical(d.metadata["Name"]).startswith(INTERNAL_PREFIX)),
        key=lambda d: str(d.metadata["Name"]),
    )
    for distribution in internal:
        origin = json.loads(distribution.read_text("direct_url.json") or "{}")
        if not origin.get("url", "").startswith("file://"):
            sys.exit(f"{distribution.metadata['Name']} did not come from the repository: {origin}")
    points = {p.name: p for p in entry_points(group="kulturbro.services")}
    if service not in points:
        sys.exit(f"no kulturbro.services entry point {service!r} (found {sorted(points)})")
    points[service].load()
    from kulturbro_cli.main import app  # the image's ENTRYPOINT, with every command it offers

    assert app
    names = ", ".join(sorted(d.metadata["Name"] for d in internal))
    print(f"imported {points[service].value} and kulturbro_cli.main; from the repository: {names}")


def services_in_repository() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("services/*/pyproject.toml"))


def _report(service: str, error: ReplayError) -> None:
    print(f"      {error}".replace("\n", "\n      "))
    print(f"FAIL  Dockerfile, SERVICE={service}: not buildable from the repository alone")


def replay_all(
    dockerfile: Path, services: list[str], wheelhouse: Path, scratch: Path, jobs: int
) -> int:
    """Replay each service's build (what passed with the same inputs before is not redone);
    report one line per service and return how many failed."""
    failures, plans, stamps = 0, [], CACHE / "passed"
    for service in services:
        try:
            plans.append(plan(dockerfile, service, scratch / service, wheelhouse))
        except ReplayError as error:
            failures += 1
            _report(service, error)
    todo = []
    for each in plans:
        stamp = stamps / each.service
        if stamp.exists() and stamp.read_text() == each.fingerprint:
            print(f"ok    Dockerfile, SERVICE={each.service}: unchanged since it last passed")
        else:
            todo.append(each)
    if not todo:
        return failures
    try:
        common = common_venv(plan(dockerfile, todo[0].service, scratch / "common", wheelhouse))
    except ReplayError as error:
        _report("(what every service shares)", error)
        return failures + len(todo)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(replay, each, common): each for each in todo}
        for future in concurrent.futures.as_completed(futures):
            each = futures[future]
            try:
                summary = future.result()
            except ReplayError as error:
                failures += 1
                _report(each.service, error)
            else:
                stamps.mkdir(parents=True, exist_ok=True)
                (stamps / each.service).write_text(each.fingerprint)
                print(f"ok    Dockerfile, SERVICE={each.service}: replayed, no index; {summary}")
    return failures


def _report(service: str, error: ReplayError) -> None:
    print(f"      {error}".replace("\n", "\n      "))
    print(f"FAIL  Dockerfile, SERVICE={service}: not buildable from the repository alone")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dockerfile", type=Path, default=ROOT / "Dockerfile")
    parser.add_argument("--service", action="append", help="default: every service")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--wheelhouse", type=Path, help="third-party wheels (default: PyPI's)")
    parser.add_argument("--again", action="store_true", help="replay even what passed unchanged")
    parser.add_argument("--check-installed", metavar="SERVICE", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.check_installed:
        check_installed(arguments.check_installed)
        return 0
    services = arguments.service or services_in_repository()
    started = time.monotonic()
    if arguments.again:
        shutil.rmtree(CACHE / "passed", ignore_errors=True)
    try:
        wheelhouse = (
            arguments.wheelhouse.resolve()
            if arguments.wheelhouse
            # One for every service, so replaying some reuses the same.
            else ensure_wheelhouse(
                WHEELHOUSES,
                third_party_requirements(services_in_repository()),
                ROOT / "constraints.txt",
            )
        )
    except ReplayError as error:
        print(f"FAIL  Dockerfile: {error}")
        return 1
    with tempfile.TemporaryDirectory(prefix="kulturbro-replay-") as scratch:
        failures = replay_all(
            arguments.dockerfile.resolve(), services, wheelhouse, Path(scratch), arguments.jobs
        )
    print(f"      ({len(services)} services checked in {time.monotonic() - started:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
