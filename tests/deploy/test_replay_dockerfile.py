"""deploy/replay_dockerfile.py reads the Dockerfile and .dockerignore as Docker does, and finds
an internal package a service needs that the Dockerfile does not install from the repository.
(`make deploy-check` runs the replay itself: pip with the index switched off.)"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "replay_dockerfile", ROOT / "deploy" / "replay_dockerfile.py"
)
assert _spec and _spec.loader
replay = importlib.util.module_from_spec(_spec)
sys.modules["replay_dockerfile"] = replay  # dataclasses look their module up by name
_spec.loader.exec_module(replay)

SERVICES = replay.services_in_repository()


def missing_from_the_image(dockerfile: Path, service: str, scratch: Path) -> set[str]:
    runs, _, _ = replay.lay_out(dockerfile, service, scratch / "root", scratch / "home", scratch)
    needed, _ = replay.dependencies([ROOT / "services" / service])
    return needed - replay.installed_from_repository(runs)


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_installs_every_internal_package_the_service_needs_from_the_repository(
    service: str, tmp_path: Path
) -> None:
    assert missing_from_the_image(ROOT / "Dockerfile", service, tmp_path) == set()


def test_a_library_the_dockerfile_leaves_out_is_found(tmp_path: Path) -> None:
    context = tmp_path / "context"
    (context / "libs").mkdir(parents=True)
    dockerfile = (ROOT / "Dockerfile").read_text()
    (context / "Dockerfile").write_text(
        dockerfile.replace("COPY libs/replicas/ libs/replicas/\n", "").replace(
            "./libs/replicas \\\n", ""
        )
    )
    for path in ("constraints.txt", ".dockerignore", "libs/contracts", "libs/runtime", "libs/cli",
                 "services"):  # fmt: skip
        (context / path).symlink_to(ROOT / path)

    assert missing_from_the_image(context / "Dockerfile", "booking", tmp_path) == {
        "kulturbro-replicas"
    }


def test_dockerignore_last_match_wins_and_a_directory_takes_its_contents(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text(
        "# comment\n*\n!libs/\n!constraints.txt\n**/__pycache__\nlibs/*/build\n**/*.py[cod]\n"
    )
    ignore = replay.DockerIgnore.read(tmp_path / ".dockerignore")

    assert ignore.excludes(".venv/bin/python")
    assert ignore.excludes("README.md")
    assert not ignore.excludes("constraints.txt")
    assert not ignore.excludes("libs/runtime/kulturbro_runtime/db.py")
    assert ignore.excludes("libs/runtime/kulturbro_runtime/__pycache__/db.cpython-311.pyc")
    assert ignore.excludes("libs/runtime/build/lib/x.py")
    assert ignore.excludes("libs/runtime/x.pyc")
    assert not ignore.excludes("libs/runtime/sub/build/x.py")  # * is one level only


def test_only_what_the_build_stage_does_is_replayed_and_never_with_an_index(
    tmp_path: Path,
) -> None:
    context = tmp_path / "context"
    (context / "pkg" / "cache").mkdir(parents=True)
    (context / "pkg" / "pyproject.toml").write_text('[project]\nname = "kulturbro-pkg"\n')
    (context / "pkg" / "cache" / "junk").write_text("")
    (context / "secret.txt").write_text("")
    (context / ".dockerignore").write_text("secret.txt\n**/cache\n")
    (context / "Dockerfile").write_text(
        "FROM python AS build\nARG SERVICE\nENV PIP_INDEX_URL=https://example.org/simple \\\n"
        "    OTHER=1\nRUN python -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n"
        "WORKDIR /src\nCOPY pkg/ pkg/\nRUN pip install ./pkg\nFROM build AS final\nRUN rm -rf /\n"
    )
    root = tmp_path / "root"

    runs, venv, copied = replay.lay_out(context / "Dockerfile", "x", root, tmp_path, tmp_path)

    assert copied == 1
    assert (root / "src" / "pkg" / "pyproject.toml").exists()
    assert not (root / "src" / "pkg" / "cache").exists()
    assert venv == root / "opt" / "venv"
    assert [r.command for r in runs] == [f"python -m venv {venv}", "pip install ./pkg"]
    assert runs[1].env["PATH"].startswith(f"{venv}/bin:")
    assert runs[1].env["PIP_NO_INDEX"] == "1"
    assert runs[1].cwd == root / "src"
    assert replay.installed_from_repository(runs) == {"kulturbro-pkg"}

    (context / "Dockerfile").write_text(
        "FROM python AS build\nRUN apt-get update && pip install x\n"
    )
    with pytest.raises(
        replay.ReplayError, match="only `python -m venv DIR` and a lone `pip install`"
    ):
        replay.lay_out(context / "Dockerfile", "x", tmp_path / "again", tmp_path, tmp_path)
