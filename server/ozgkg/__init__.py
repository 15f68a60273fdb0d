"""ozg-kg: knowledge graph of Germany's Online Access Act (OZG) implementation."""

__version__ = "0.1.0"
