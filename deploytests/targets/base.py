"""What every target provides: a list of :class:`Server` handles and the rights the suite has there.

:class:`Server` lives in :mod:`deploytests.servers` (which the containers driver imports too, without a cycle)
and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..servers import Server

__all__ = ["Rights", "Server"]


@dataclass(frozen=True)
class Rights:
    """What the suite may do on a target: ``deploy`` (change what runs) and ``destructive``
    (failure injection: broken releases, interrupted deploys, rollback drills)."""

    deploy: bool = False
    destructive: bool = False

    def describe(self) -> str:
        return f"deploy={'yes' if self.deploy else 'no'}, destructive={'yes' if self.destructive else 'no'}"
