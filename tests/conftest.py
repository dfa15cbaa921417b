"""The shared fixtures live in ``tests/fixtures/`` by topic; they are registered here. Plain
helpers are imported from their module there (``from tests.fixtures.files import feature``),
never from this file or from another test module."""

pytest_plugins = [
    "tests.fixtures.files",
    "tests.fixtures.workspaces",
    "tests.fixtures.access",
    "tests.fixtures.auth",
    "tests.fixtures.nationwide",
    "tests.fixtures.town",
    "tests.fixtures.exports",
    "tests.fixtures.postgres",
]

