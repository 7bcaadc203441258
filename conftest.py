"""Fixtures every test directory shares."""

pytest_plugins = ["kulturbro_devstack.testing"]
