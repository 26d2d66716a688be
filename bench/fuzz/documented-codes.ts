import { readFileSync } from 'node:fs';

/**
 * The error codes the README documents, read at run time so that documenting a code is
 * what makes the fuzzer accept it. Where they are read from, in order:
 *
 * 1. every Markdown table whose header has a column named `code` (or `extensions.code`):
 *    the backticked SCREAMING_SNAKE words of that column;
 * 2. failing that, every paragraph or list item that mentions `extensions.code`: its
 *    backticked SCREAMING_SNAKE words.
 *
 * Codes mentioned elsewhere (an outcome in a table of tests, a log line) do not count: a
 * client looks a code up where the README lists them.
 */
export interface DocumentedCodes {
  readonly codes: ReadonlySet<string>;
  /** Where they came from, for the report. */
  readonly source: string;
}

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1])
    .filter((w) => CODE.test(w) && w.length >= 3);
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

export function parseDocumentedCodes(readme: string, name = 'README.md'): DocumentedCodes {
  const lines = readme.split('\n');
  const fromTables = new Set<string>();
  const tableLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const isRow = (k: number) => lines[k]?.trim().startsWith('|') ?? false;
    if (!isRow(i) || isRow(i - 1) || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
    const column = cells(lines[i]).findIndex((c) =>
      /^(extensions\.)?code$/i.test(c.replace(/`/g, '')),
    );
    if (column < 0) continue;
    tableLines.push(i + 1);
    for (let k = i + 2; isRow(k); k++) {
      for (const code of backticked(cells(lines[k])[column] ?? '')) fromTables.add(code);
    }
  }
  if (fromTables.size > 0) {
    return {
      codes: fromTables,
      source: `${name}, the \`code\` column of the table at line ${tableLines.join(', ')}`,
    };
  }
  // paragraphs and list items: split at blank lines and at the start of each item
  const blocks: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | null = null;
  lines.forEach((line, k) => {
    const startsItem = /^\s*([-*]|\d+\.)\s/.test(line);
    if (line.trim() === '' || startsItem) {
      if (current) blocks.push(current);
      current = line.trim() === '' ? null : { line: k + 1, text: line };
    } else if (current) {
      current.text += `\n${line}`;
    } else {
      current = { line: k + 1, text: line };
    }
  });
  if (current) blocks.push(current);
  const fromText = new Set<string>();
  const where: number[] = [];
  for (const block of blocks) {
    if (!block.text.includes('`extensions.code`')) continue;
    const codes = backticked(block.text);
    if (codes.length === 0) continue;
    where.push(block.line);
    for (const code of codes) fromText.add(code);
  }
  if (fromText.size === 0) {
    throw new Error(
      `${name} documents no error codes: expected a table with a "code" column, or a paragraph that mentions \`extensions.code\``,
    );
  }
  return {
    codes: fromText,
    source: `${name}, the paragraphs mentioning \`extensions.code\` at line ${where.join(', ')} (no table with a code column)`,
  };
}

export function readDocumentedCodes(readmePath: string): DocumentedCodes {
  return parseDocumentedCodes(readFileSync(readmePath, 'utf8'), readmePath);
}
