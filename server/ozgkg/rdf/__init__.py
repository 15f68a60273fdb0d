"""The RDF rules every layer shares, each in one place: formats and media types (`formats`), IRI
checks (`iris`), N-Triples/Turtle terms (`terms`), prefixed names (`prefixes`) and the choice of a
label by language (`labels`). Nothing here knows the store, SPARQL evaluation or the web."""
