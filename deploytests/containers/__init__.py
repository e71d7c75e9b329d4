"""Docker driver: images (built by content hash, base fallback), containers, readiness, pinned keys, sweep."""

from .driver import Fleet, read_banner
from .engine import ENGINE_UP_COMMAND, docker_client, engine_address, engine_up
from .images import ensure_image, image_tag
from .sweep import should_sweep, sweep

__all__ = ["Fleet", "read_banner", "ENGINE_UP_COMMAND", "docker_client", "engine_address", "engine_up",
           "ensure_image", "image_tag", "should_sweep", "sweep"]
