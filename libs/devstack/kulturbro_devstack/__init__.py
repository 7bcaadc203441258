"""Real Postgres, Redis, Kafka and SMTP servers for local development and tests, without Docker."""
