import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const source = resolve(import.meta.dirname, '../../src');

/** Every non-test TypeScript file under src/, as a path relative to it. */
function sourceFiles(directory = source): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(source, path)] : [];
  });
}

/** The top-level unit a file belongs to: its first folder under src/, or the file itself at the root. */
const unitOf = (file: string): string => file.split('/')[0]!.replace(/\.ts$/, '');

/** Relative imports (static, re-exports and dynamic) of one file, resolved to src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(source, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(source, resolve(dirname(join(source, file)), name)).replace(/\.js$/, '.ts'));
}

/** Folder-level edges with one example file pair each, for a readable failure. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles()) {
    for (const target of importsOf(file)) {
      const from = unitOf(file);
      const to = unitOf(target);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${file} -> ${target}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan), each a cycle of folders. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import boundaries', () => {
  it('has no import cycle between top-level src/ folders', () => {
    const graph = folderGraph();
    const described = cycles(graph).map((component) =>
      component
        .flatMap((from) =>
          [...(graph.get(from) ?? [])].filter(([to]) => component.includes(to)).map(([, example]) => example),
        )
        .join('; '),
    );
    expect(described).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts -> b/y.ts']])],
      ['b', new Map([['c', 'b/y.ts -> c/z.ts']])],
      ['c', new Map([['a', 'c/z.ts -> a/x.ts']])],
      ['d', new Map([['a', 'd/w.ts -> a/x.ts']])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('keeps the seams types-only, so adapters compose around them without loading an engine', () => {
    for (const seam of ['models/language-model.ts', 'training/training-engine.ts']) {
      const text = readFileSync(join(source, seam), 'utf8');
      const file = ts.createSourceFile(seam, text, ts.ScriptTarget.Latest);
      const runtime = file.statements.filter(
        (statement) =>
          !ts.isInterfaceDeclaration(statement) &&
          !ts.isTypeAliasDeclaration(statement) &&
          !(ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly),
      );
      expect(runtime.map((statement) => `${seam}: ${statement.getText(file).slice(0, 60)}`)).toEqual([]);
      expect(importsOf(seam).filter((target) => !target.startsWith(dirname(seam)))).toEqual([]);
    }
  });
});
