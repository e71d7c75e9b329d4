"""deploytests: deploy Flask/WSGI apps to Apache + mod_wsgi over SSH with Fabric, and prove it with pytest.

Library first, pytest wiring second: :mod:`deploytests.pipeline` (pack, bootstrap, deploy, rollback, status:
functions of a Fabric connection), :mod:`deploytests.containers` (throwaway servers), :mod:`deploytests.targets`
(the inventory and its providers), :mod:`deploytests.verify` (checks usable in any test); the pytest plugin
(:mod:`deploytests.plugin`) only turns them into fixtures.

PYTEST_DONT_REWRITE: this module has no asserts; ``deploytests gate`` imports it before it starts pytest, which
would otherwise warn on every run that it cannot rewrite it (its submodules are rewritten as before). It imports
nothing: ``deploytests fab``/``gate`` judge who may change the code they run (``__main__.loose_install``) before
any code outside the standard library is imported (the plugin marks :mod:`deploytests.verify` for pytest's
assertion rewriting).
"""

__version__ = "0.1.0"
