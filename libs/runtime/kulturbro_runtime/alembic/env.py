"""Alembic environment shared by every service: runs on the connection `migrate` hands over."""

from alembic import context

config = context.config
context.configure(
    connection=config.attributes["connection"],
    version_table_schema=config.attributes["schema"],
    transactional_ddl=True,
)
context.run_migrations()
