"""Local copies of what other services tell: a service includes the tables in its migrations and
the handlers in its subscription table, and then reads only its own schema."""
