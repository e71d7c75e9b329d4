"""deploytests: deploy Flask/WSGI apps to Apache + mod_wsgi over SSH with Fabric, and prove it with pytest.

Library first, pytest wiring second: :mod:`deploytests.pipeline` (pack, bootstrap, deploy, rollback, status:
functions of a Fabric connection), :mod:`deploytests.containers` (throwaway servers), :mod:`deploytests.targets`
(the inventory and its providers), :mod:`deploytests.verify` (checks usable in any test); the pytest plugin
(:mod:`deploytests.plugin`) only turns them into fixtures.

PYTEST_DONT_REWRITE: this module has no asserts; ``deploytests gate`` imports it before it starts pytest, which
would otherwise warn on every run that it cannot rewrite it (its submodules are rewritten as before).
"""

__version__ = "0.1.0"

try:  # the verify helpers' plain asserts get pytest's rich messages when used from tests
    import pytest

    pytest.register_assert_rewrite("deploytests.verify")
except ImportError:  # pragma: no cover - `deploytests engine up` on a machine without pytest yet
    pass
