"""kg: Russian-language articles about the Second World War in, a knowledge graph out."""
from __future__ import annotations

__version__ = "0.1.0"
