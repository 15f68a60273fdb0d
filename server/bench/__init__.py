"""The endpoint benchmark (`bash server/dev.sh bench`): ozg-kg's endpoint beside Oxigraph's server,
Virtuoso and rdflib-endpoint, plus pyoxigraph and rdflib in-process, on the real graph extended by
the generator to 10^4..10^7 quads. See BENCHMARKS.md for the method and the figures.

Run as `python -m bench` with `server/` on the path; results go to `server/bench/results/`.
"""
