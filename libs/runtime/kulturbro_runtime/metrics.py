"""The Prometheus metrics every service exposes on /metrics."""

from prometheus_client import Counter, Gauge, Histogram

http_request_seconds = Histogram(
    "kulturbro_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)
handler_seconds = Histogram(
    "kulturbro_handler_seconds", "event handler latency", ["service", "event_type", "outcome"]
)
handler_errors = Counter(
    "kulturbro_handler_errors_total",
    "event handler failures, retries included",
    ["service", "event_type"],
)
dead_letters = Counter(
    "kulturbro_dead_letters_total", "messages sent to a dead-letter topic", ["service", "topic"]
)
consumer_lag = Gauge(
    "kulturbro_consumer_lag", "messages not yet consumed", ["service", "topic", "partition"]
)
consumer_oldest_seconds = Gauge(
    "kulturbro_consumer_oldest_seconds",
    "age of the oldest message the service's consumer group has not consumed (0: caught up)",
    ["service", "topic", "partition"],
)
outbox_backlog = Gauge(
    "kulturbro_outbox_backlog", "events written but not yet published", ["service"]
)
outbox_oldest_seconds = Gauge(
    "kulturbro_outbox_oldest_seconds",
    "age of the oldest event written but not yet published (0: none waits)",
    ["service"],
)
outbox_published = Counter("kulturbro_outbox_published_total", "events published", ["service"])
