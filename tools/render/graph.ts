/**
 * The composed resources as a Graphviz picture: one cluster per region, one per block inside it,
 * a node per composed resource, an edge for every selector that picks a sibling, and bold
 * coloured edges for the links between regions the composition declares (functions/src/dr-links.ts):
 * Global Database membership, table replica, bucket replication, backup copy, failover pair. A
 * legend says which is which. Graphviz runs as WebAssembly (no system package); PNG goes through
 * resvg, also from npm.
 */
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { LABELS } from "../../functions/src/scope.js";
import { DR_LINK_KINDS, type DrLink, type DrLinkKind } from "../../functions/src/dr-links.js";
import { resourceName, type K8sObject } from "./output.js";

/** The picture formats --graph writes, by file extension. */
export const GRAPH_FORMATS = [".svg", ".png"];

const LINK_COLOURS: Record<DrLinkKind, string> = {
  "global database": "#7c3aed",
  "table replica": "#0891b2",
  "bucket replication": "#16a34a",
  "backup copy": "#d97706",
  "queue fan-out": "#db2777",
  "failover pair": "#dc2626",
};
const SELECTOR_COLOUR = "#6b7280";
const CROSS_REGION_SELECTOR_COLOUR = "#9ca3af";

export interface Edge {
  from: string;
  to: string;
  /** The spec field that holds the selector, e.g. `vpcIdSelector`. */
  field: string;
}

type Labels = Record<string, string>;

/** Every `*Selector` with matchLabels under a resource's spec, wherever it is nested. */
function selectorsOf(value: unknown, found: Array<{ field: string; matchLabels: Labels }> = [], key = ""): typeof found {
  if (Array.isArray(value)) for (const v of value) selectorsOf(v, found, key);
  else if (value && typeof value === "object") {
    const labels = (value as { matchLabels?: Labels }).matchLabels;
    if (key.endsWith("Selector") && labels && Object.keys(labels).length > 0) found.push({ field: key, matchLabels: labels });
    for (const [k, v] of Object.entries(value)) selectorsOf(v, found, k);
  }
  return found;
}

/** Edges from each resource to every sibling its selectors match (Kubernetes label-selector rules). */
export function selectorEdges(composed: K8sObject[]): Edge[] {
  const edges = new Map<string, Edge>();
  for (const source of composed) {
    for (const { field, matchLabels } of selectorsOf(source.spec)) {
      for (const target of composed) {
        if (target === source) continue;
        const labels = target.metadata?.labels ?? {};
        if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) continue;
        const edge = { from: resourceName(source), to: resourceName(target), field };
        edges.set(`${edge.from}->${edge.to}`, edges.get(`${edge.from}->${edge.to}`) ?? edge);
      }
    }
  }
  return [...edges.values()];
}

const BLOCK_COLOURS = ["#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#ede9fe", "#cffafe", "#fee2e2", "#e0e7ff", "#f3f4f6"];

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function regionOf(r: K8sObject): string | undefined {
  const region = (r.spec?.forProvider as { region?: unknown } | undefined)?.region;
  return typeof region === "string" ? region : undefined;
}

/** The region most of a group's resources are in; a few (global tables, replicas) sit elsewhere. */
function mainRegion(resources: K8sObject[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of resources) {
    const region = regionOf(r);
    if (region) counts.set(region, (counts.get(region) ?? 0) + 1);
  }
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0];
}

const LEAF_STAGGER = 3;
const ISOLATED_ROW = 4;

/**
 * DOT source for the composed resources of one XR. Left to right: what is referenced stands left
 * of what references it (arrows still point at the selected resource). Like Graphviz's unflatten,
 * many leaves on one node are staggered over a few columns and unconnected resources are laid in
 * rows, so a 200-resource environment stays a picture rather than a very tall list.
 */
/** The declared links whose two ends are both composed (a link waits until both exist). */
export function presentLinks(composed: K8sObject[], links: DrLink[]): DrLink[] {
  const names = new Set(composed.map(resourceName));
  return links.filter((l) => names.has(l.from) && names.has(l.to));
}

function legend(kinds: DrLinkKind[]): string[] {
  const row = (colour: string, label: string, dashed = false) =>
    `<tr><td width="36" height="6" fixedsize="true" bgcolor="${colour}"${dashed ? ' style="dashed"' : ""}></td><td align="left">${html(label)}</td></tr>`;
  const rows = [
    row(SELECTOR_COLOUR, "selector (references a sibling in the region)"),
    row(CROSS_REGION_SELECTOR_COLOUR, "selector across regions"),
    ...kinds.map((k) => row(LINK_COLOURS[k], `${k} (between regions)`)),
  ];
  return [
    `  subgraph "cluster_legend" {`,
    `    label="legend"; fontsize=14; style="rounded"; color="#9ca3af";`,
    `    "legend" [shape=plaintext, style="", fontname="Helvetica", fontsize=11, label=<<table border="0" cellspacing="4" cellpadding="2">${rows.join("")}</table>>];`,
    "  }",
  ];
}

export function toDot(composed: K8sObject[], title: string, links: DrLink[] = []): string {
  const roleOf = (r: K8sObject) => r.metadata?.labels?.[LABELS.regionRole] ?? "other";
  const blockOf = (r: K8sObject) => r.metadata?.labels?.[LABELS.block] ?? "other";
  const roles = [...new Set(composed.map(roleOf))].sort();
  const blockNames = [...new Set(composed.map(blockOf))].sort();
  const colour = (block: string) => BLOCK_COLOURS[blockNames.indexOf(block) % BLOCK_COLOURS.length]!;
  const edges = selectorEdges(composed);
  const degree = new Map<string, number>();
  for (const e of edges) for (const n of [e.from, e.to]) degree.set(n, (degree.get(n) ?? 0) + 1);
  const referenced = new Set(edges.map((e) => e.to));
  const roleByName = new Map(composed.map((r) => [resourceName(r), roleOf(r)]));
  const inRegion = edges.filter((e) => roleByName.get(e.from) === roleByName.get(e.to));

  const lines = [
    `digraph ${quote(title)} {`,
    `  graph [rankdir=LR, newrank=true, nodesep=0.08, ranksep=0.35, fontname="Helvetica", fontsize=22, labelloc=t, label=${quote(title)}];`,
    // Monospace labels: every monospace face has Courier's advance, so boxes fit in any renderer.
    `  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Courier", fontsize=9, margin="0.06,0.02", height=0.3, penwidth=0.6];`,
    `  edge [color="${SELECTOR_COLOUR}", arrowsize=0.5, penwidth=0.6];`,
  ];
  for (const role of roles) {
    const inRole = composed.filter((r) => roleOf(r) === role);
    const region = mainRegion(inRole);
    lines.push(`  subgraph ${quote(`cluster_${role}`)} {`);
    lines.push(`    label=${quote(region ? `${role}: ${region}` : role)}; fontsize=18; style="rounded"; color="#374151"; penwidth=1.5;`);
    for (const block of blockNames) {
      const resources = inRole.filter((r) => blockOf(r) === block);
      if (resources.length === 0) continue;
      lines.push(`    subgraph ${quote(`cluster_${role}_${block}`)} {`);
      lines.push(
        `      label=${quote(`${block} (${resources.length})`)}; fontsize=13; style="rounded,filled"; fillcolor=${quote(colour(block))}; color="#9ca3af";`,
      );
      for (const r of resources) {
        const logical = r.metadata?.labels?.[LABELS.resource] ?? resourceName(r);
        const elsewhere = regionOf(r) && regionOf(r) !== region ? `<br/><i>${html(regionOf(r)!)}</i>` : "";
        lines.push(`      ${quote(resourceName(r))} [label=<<b>${html(r.kind ?? "?")}</b><br/>${html(logical)}${elsewhere}>];`);
      }
      const isolated = resources.map(resourceName).filter((n) => !degree.has(n));
      for (let i = 1; i < isolated.length; i++) {
        if (i % ISOLATED_ROW !== 0) lines.push(`      ${quote(isolated[i - 1]!)} -> ${quote(isolated[i]!)} [style=invis];`);
      }
      lines.push("    }");
    }
    lines.push("  }");
  }

  const drawn = presentLinks(composed, links);
  for (const l of drawn) {
    // Links between regions stand out and do not shape the layout; a pair has no direction.
    const dir = l.kind === "failover pair" ? "both" : "forward";
    lines.push(
      `  ${quote(l.from)} -> ${quote(l.to)} [dir=${dir}, color=${quote(LINK_COLOURS[l.kind])}, penwidth=3, arrowsize=1, constraint=false, label=${quote(l.kind)}, fontname="Helvetica", fontsize=11, fontcolor=${quote(LINK_COLOURS[l.kind])}];`,
    );
  }
  lines.push(...legend(DR_LINK_KINDS.filter((k) => drawn.some((l) => l.kind === k))));

  const leavesOn = new Map<string, number>();
  for (const e of edges) {
    if (!inRegion.includes(e)) {
      lines.push(
        `  ${quote(e.to)} -> ${quote(e.from)} [dir=back, color="${CROSS_REGION_SELECTOR_COLOUR}", style=dashed, penwidth=0.8, constraint=false];`,
      );
      continue;
    }
    const leaf = degree.get(e.from) === 1 && !referenced.has(e.from);
    const k = leaf ? (leavesOn.get(e.to) ?? 0) : 0;
    if (leaf) leavesOn.set(e.to, k + 1);
    lines.push(`  ${quote(e.to)} -> ${quote(e.from)} [dir=back${k % LEAF_STAGGER ? `, minlen=${1 + (k % LEAF_STAGGER)}` : ""}];`);
  }

  // Regions side by side: an invisible hub right of one region's last column, left of the next's first.
  const last = new Set(composed.map(resourceName).filter((n) => !inRegion.some((e) => e.to === n)));
  const first = new Set(composed.map(resourceName).filter((n) => !inRegion.some((e) => e.from === n)));
  for (let i = 1; i < roles.length; i++) {
    const hub = quote(`region-order-${i}`);
    lines.push(`  ${hub} [style=invis, shape=point, width=0, label=""];`);
    for (const [name, role] of roleByName) {
      if (role === roles[i - 1] && last.has(name)) lines.push(`  ${quote(name)} -> ${hub} [style=invis];`);
      if (role === roles[i] && first.has(name)) lines.push(`  ${hub} -> ${quote(name)} [style=invis];`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}

export async function toSvg(dot: string): Promise<string> {
  const { instance } = await import("@viz-js/viz");
  return (await instance()).renderString(dot, { format: "svg", engine: "dot" });
}

export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  // resvg does not map the generic families to installed faces, so name common ones explicitly.
  const named = svg
    .replaceAll('font-family="Courier,monospace"', 'font-family="Courier,Courier New,DejaVu Sans Mono,Liberation Mono,monospace"')
    .replaceAll('font-family="Helvetica,sans-Serif"', 'font-family="Helvetica,Arial,DejaVu Sans,Liberation Sans,sans-serif"');
  const png = new Resvg(named, { background: "white", fitTo: { mode: "zoom", value: 2 }, font: { loadSystemFonts: true } });
  return png.render().asPng();
}

/** Writes the picture as SVG or PNG, chosen by the file's extension (checked before anything is drawn). */
export async function writeGraph(
  file: string,
  composed: K8sObject[],
  title: string,
  links: DrLink[] = [],
): Promise<{ nodes: number; edges: number; links: number }> {
  const ext = extname(file).toLowerCase();
  if (!GRAPH_FORMATS.includes(ext)) throw new Error(`--graph ${file}: the file must end in ${GRAPH_FORMATS.join(" or ")}`);
  const svg = await toSvg(toDot(composed, title, links));
  writeFileSync(file, ext === ".svg" ? svg : await svgToPng(svg));
  return { nodes: composed.length, edges: selectorEdges(composed).length, links: presentLinks(composed, links).length };
}
