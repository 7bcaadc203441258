"""The gateway service: the single HTTP entry for web and mobile clients."""

from pathlib import Path

from gateway import accounts_api, auth_api, handlers, me_api, proxy
from gateway.edge import configure_edge
from gateway.retention import erase_old_audit_entries
from gateway.settings import GatewaySettings
from kulturbro_runtime import Service

service = Service(
    name="gateway",
    description="The single HTTP entry for web and mobile clients: sign-in, roles, routing.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    settings_class=GatewaySettings,
    handlers=handlers.HANDLERS,
    # The forwarding route first: most requests are forwarded, and none of the gateway's own
    # paths begins with /api/, so they need not be tried against every other route first.
    routers=[proxy.router, auth_api.router, accounts_api.router, me_api.router],
    retention=[erase_old_audit_entries],
    configure=configure_edge,
)
