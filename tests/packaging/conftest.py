"""Registers the ``packaging`` marker for the tests in this folder."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "packaging: packages the app with chalice and lints the template"
    )
