"""Answering SPARQL: the protocol, the safety rules, federation, the killable query workers, the cache."""
