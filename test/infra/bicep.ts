import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import { projectRoot } from "../../shared/projectRoot.js";

export const root = projectRoot();
export const infraDir = join(root, "infra");

let parser: Promise<Parser> | undefined;

/** tree-sitter-bicep's WebAssembly grammar, run by web-tree-sitter: no native build, works offline. */
export function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-bicep/tree-sitter-bicep.wasm");
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

export async function bicepFiles(dir = infraDir): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".bicep"))
    .map((e) => relative(root, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

export async function parseBicep(path: string): Promise<Tree> {
  const tree = (await bicepParser()).parse(await readFile(join(root, path), "utf8"));
  if (!tree) throw new Error(`tree-sitter returned no tree for ${path}`);
  return tree;
}

/** Every node of the tree, depth first. */
export function* walk(node: Node): Generator<Node> {
  yield node;
  for (const child of node.children) if (child) yield* walk(child);
}

/** ERROR and MISSING nodes, as "line:column kind". */
export function syntaxProblems(tree: Tree): string[] {
  return [...walk(tree.rootNode)]
    .filter((n) => n.isError || n.isMissing)
    .map((n) => `${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.isMissing ? `MISSING ${n.type}` : "ERROR"}`);
}

/** The key of an object property (identifier or quoted string) without quotes. */
export function propertyKey(property: Node): string {
  const key = property.namedChildren[0];
  if (!key) throw new Error(`property without key at ${property.startPosition.row + 1}`);
  return key.text.replace(/^'|'$/g, "");
}

/** The value node of an object property. */
export function propertyValue(property: Node): Node {
  const value = property.namedChildren[property.namedChildren.length - 1];
  if (!value) throw new Error(`property without value at ${property.startPosition.row + 1}`);
  return value;
}

/** The properties of an object node, by key. */
export function objectProperties(object: Node): Map<string, Node> {
  return new Map(
    object.namedChildren
      .filter((c): c is Node => c?.type === "object_property")
      .map((p) => [propertyKey(p), propertyValue(p)]),
  );
}

/** The declarations of one kind (module_declaration, resource_declaration, variable_declaration, ...) by name. */
export function declarations(tree: Tree, type: string): Map<string, Node> {
  return new Map(
    tree.rootNode.namedChildren
      .filter((c): c is Node => c?.type === type)
      .map((d) => [d.namedChildren[0]!.text, d]),
  );
}

/** The object literal a declaration assigns (its last object child; of a conditional `= if (...) {...}`, the object in it). */
export function declaredObject(declaration: Node): Node {
  const conditional = declaration.namedChildren.find((c): c is Node => c?.type === "if_statement");
  const object = (conditional ?? declaration).namedChildren.filter((c): c is Node => c?.type === "object").pop();
  if (!object) throw new Error(`no object in ${declaration.text.slice(0, 60)}`);
  return object;
}
