"""The installed services, found by their `kulturbro.services` entry points."""

from importlib.metadata import entry_points

import typer

from kulturbro_runtime import Service

# The order the dev stack starts them in and lists them; the gateway last, as it fronts the rest.
SERVICE_NAMES = (
    "directory", "catalog", "booking", "allocation", "transport", "notify", "stats", "web",
    "gateway",
)  # fmt: skip


def add_service_commands(app: typer.Typer) -> None:
    """Commands a service offers (e.g. the directory's `import`), found by entry point
    `kulturbro.commands`; each names a typer app run in that service's own environment."""
    for point in entry_points(group="kulturbro.commands"):
        app.add_typer(point.load(), name=point.name)


def load_service(name: str) -> Service:
    found = {point.name: point for point in entry_points(group="kulturbro.services")}
    if name not in found:
        known = ", ".join(sorted(found)) or "none installed"
        typer.echo(f"kulturbro: unknown service {name!r}; choose one of: {known}", err=True)
        raise typer.Exit(2)
    service: Service = found[name].load()
    return service
