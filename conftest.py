"""Fixtures every test directory shares."""

import os

import pytest

pytest_plugins = ["kulturbro_devstack.testing"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test PYTEST_WORKERS=2`, `--no-loadscope-reorder`), the longest
    files first: those that run services as processes (e2e: the fuzz test, the fault run), then
    the browser's, then the rest, each file whole and in its order. A worker takes the next file
    when it finishes one, so a long file taken last kept the other worker idle for minutes at the
    end. In one process the order stays the files' own."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def file(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    def rank(item: pytest.Item) -> int:
        return (
            0 if item.get_closest_marker("e2e") else 1 if item.get_closest_marker("browser") else 2
        )

    ranks: dict[str, int] = {}
    for item in items:
        ranks[file(item)] = min(rank(item), ranks.get(file(item), 2))
    order = {name: (ranks[name], place) for place, name in enumerate(ranks)}
    items.sort(key=lambda item: order[file(item)])
