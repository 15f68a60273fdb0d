"""What is built on the queries: entity descriptions, search, exports, dumps, the service
description, the ontology's documentation, the generator of synthetic data."""
