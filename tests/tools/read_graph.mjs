// Reads a GraphML or GEXF file with graphology's parsers, the ones Gephi Lite opens files with, and
// prints what they read as JSON: counts, and every node's and edge's attributes with their JSON types.
//   node read_graph.mjs graphml|gexf FILE
import { readFileSync } from "node:fs";
import graphology from "graphology";
import gexf from "graphology-gexf";
import graphml from "graphology-graphml";

const [format, path] = process.argv.slice(2);
const parsers = { gexf, graphml };
if (!(format in parsers) || !path) {
  console.error("usage: node read_graph.mjs graphml|gexf FILE");
  process.exit(2);
}
const graph = parsers[format].parse(graphology.MultiDirectedGraph, readFileSync(path, "utf-8"));
const nodes = {};
graph.forEachNode((id, attributes) => {
  nodes[id] = attributes;
});
const edges = [];
graph.forEachEdge((id, attributes, source, target) => {
  edges.push({ id, source, target, attributes });
});
process.stdout.write(JSON.stringify({ order: graph.order, size: graph.size, type: graph.type, nodes, edges }));
