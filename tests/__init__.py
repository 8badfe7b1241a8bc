"""The test suite, one package: ``tests.support`` holds the helpers, ``tests/conftest.py`` the shared fixtures."""
