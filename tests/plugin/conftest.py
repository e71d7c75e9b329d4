"""The plugin level is hermetic like the unit level (tests/hermetic.py); pytester's subprocess runs get its own
temp ``HOME``."""

from tests.hermetic import _hermetic, _hermetic_session, hermetic_home  # noqa: F401 - fixtures, defined once
