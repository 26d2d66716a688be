/**
 * The Docker build context against the Dockerfile. No Docker engine runs on the
 * development machines or in CI, so `docker build` never runs here; this is the check
 * that sees a COPY whose source `.dockerignore` leaves out, or that names a path the
 * repository lacks, either of which fails the build.
 *
 * `.dockerignore` is read with @balena/dockerignore, a port of Docker's own matcher
 * (moby's fileutils), so `*` matches one level only and a later `!` re-includes even
 * inside an excluded folder, as in `docker build`. The Dockerfile is read with the small
 * parser below, which knows what this check needs (directives, comments, continuation
 * lines, flags, the JSON form) and refuses what it does not (heredocs, variables,
 * wildcards) rather than passing over it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ignore } from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';

// CommonJS (`module.exports = factory`) whose types declare a default export, which
// TypeScript's NodeNext resolution reads as `exports.default`: loaded as CommonJS instead
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  /** Upper case: COPY, ADD, RUN, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

/** A COPY or ADD that reads from the build context (not `--from` another stage or image). */
interface ContextCopy {
  readonly keyword: 'COPY' | 'ADD';
  readonly line: number;
  /** Context paths, normalised: no leading `/` or `./`, no trailing `/`; `.` is the root. */
  readonly sources: ReadonlyArray<string>;
  readonly destination: string;
}

/**
 * The instructions of a Dockerfile. Parser directives (`# escape=`) count only in the
 * leading comment block; comment lines are dropped, also inside a continuation, as
 * Docker drops them; a line ending in the escape character continues on the next.
 */
function parseDockerfile(dockerfile: string): Instruction[] {
  const lines = dockerfile.split(/\r?\n/);
  let escapeChar = '\\';
  let first = 0;
  for (; first < lines.length; first++) {
    const directive = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(lines[first]);
    if (!directive) break;
    if (directive[1].toLowerCase() === 'escape') escapeChar = directive[2];
  }
  const instructions: Instruction[] = [];
  // the instruction being read, while its lines end in the escape character
  let text: string | null = null;
  let start = 0;
  for (let k = first; k < lines.length; k++) {
    const raw = lines[k].trimEnd();
    const trimmed = raw.trim();
    // blank lines end nothing: Docker drops them inside a continuation too
    if (trimmed.startsWith('#') || trimmed === '') continue;
    const continues = raw.endsWith(escapeChar);
    const body = (continues ? raw.slice(0, -escapeChar.length) : raw).trim();
    if (text === null) {
      text = body;
      start = k + 1;
    } else {
      text = `${text} ${body}`;
    }
    if (continues) continue;
    const [keyword, ...rest] = text.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start });
    text = null;
  }
  if (text !== null) throw new Error(`line ${start}: the last instruction never ends`);
  return instructions;
}

/** The COPY and ADD instructions that read the build context, with their sources. */
function contextCopies(instructions: ReadonlyArray<Instruction>): ContextCopy[] {
  const copies: ContextCopy[] = [];
  for (const { keyword, args, line } of instructions) {
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const flags: string[] = [];
    let rest = args.trim();
    while (rest.startsWith('--')) {
      const [flag] = rest.split(/\s/, 1);
      flags.push(flag);
      rest = rest.slice(flag.length).trim();
    }
    if (flags.some((f) => f.startsWith('--from='))) continue;
    if (/^<</.test(rest)) throw new Error(`line ${line}: heredoc sources are not supported here`);
    const parts: unknown = rest.startsWith('[') ? JSON.parse(rest) : rest.split(/\s+/);
    if (!Array.isArray(parts) || parts.length < 2 || parts.some((p) => typeof p !== 'string')) {
      throw new Error(`line ${line}: expected ${keyword} <source>... <destination>, got "${rest}"`);
    }
    const paths = parts as string[];
    const sources = paths
      .slice(0, -1)
      // ADD also fetches URLs and git repositories, which are not in the context
      .filter((s) => !(keyword === 'ADD' && /^([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(s)))
      .map((s) => {
        if (/[$*?[]/.test(s)) {
          throw new Error(`line ${line}: "${s}": variables and wildcards are not supported here`);
        }
        return s.replace(/^(\.?\/)+/, '').replace(/\/+$/, '') || '.';
      });
    copies.push({ keyword, line, sources, destination: paths[paths.length - 1] });
  }
  return copies;
}

/**
 * What goes wrong for each source: it names no file of the repository, or
 * `.dockerignore` leaves out files under it. `files` are paths relative to the root.
 */
function contextProblems(
  copies: ReadonlyArray<ContextCopy>,
  files: ReadonlyArray<string>,
  dockerignore: Ignore,
): string[] {
  const problems: string[] = [];
  for (const copy of copies) {
    for (const source of copy.sources) {
      const under = files.filter(
        (f) => source === '.' || f === source || f.startsWith(`${source}/`),
      );
      const where = `${copy.keyword} ${source} (Dockerfile line ${copy.line})`;
      if (under.length === 0) {
        problems.push(`${where}: no such file or folder in the repository`);
        continue;
      }
      const left = under.filter((f) => dockerignore.ignores(f));
      if (left.length > 0) {
        const shown = left.slice(0, 3).join(', ') + (left.length > 3 ? ', ...' : '');
        problems.push(
          `${where}: .dockerignore leaves out ${left.length} of its ${under.length} files (${shown})`,
        );
      }
    }
  }
  return problems;
}

/** The repository's files: tracked, plus new ones git does not ignore, that exist on disk. */
function repositoryFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return [...new Set(listed.split('\0'))].filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');
const dockerignoreOf = (text: string) => ignore().add(text.split(/\r?\n/));

describe('the build context', () => {
  const copies = contextCopies(parseDockerfile(read('Dockerfile')));
  const dockerignore = dockerignoreOf(read('.dockerignore'));

  it('given the Dockerfile, when reading it, then it finds the copies from the context and none from other stages', () => {
    const sources = copies.flatMap((c) => c.sources);
    expect(sources).toContain('src');
    expect(sources).toContain('package.json');
    expect(sources.some((s) => s.startsWith('/app') || s === 'node_modules')).toBe(false);
  });

  it('given every COPY and ADD from the context, when .dockerignore filters the repository, then each source exists and all its files are sent', () => {
    expect(contextProblems(copies, repositoryFiles(), dockerignore)).toEqual([]);
  });

  it('given an env file with secrets, when building, then it is never sent, at the root or in a folder', () => {
    for (const path of ['.env', '.env.local', 'src/.env', 'web/.env', 'web/.env.production']) {
      expect(dockerignore.ignores(path), path).toBe(true);
    }
  });
});

describe('the Dockerfile reader', () => {
  it('given comments, continuation lines and lower-case keywords, when parsing, then each instruction is one line of arguments at its first line', () => {
    const parsed = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        '# a comment',
        'FROM node AS build',
        '',
        'RUN npm ci \\',
        '    # dropped, as Docker drops it',
        '    --omit=dev',
        'copy a b',
      ].join('\n'),
    );
    expect(parsed).toEqual([
      { keyword: 'FROM', args: 'node AS build', line: 3 },
      { keyword: 'RUN', args: 'npm ci --omit=dev', line: 5 },
      { keyword: 'COPY', args: 'a b', line: 8 },
    ]);
  });

  it('given flags, the JSON form, several sources and another stage, when listing context copies, then sources are normalised and --from is skipped', () => {
    const copies = contextCopies(
      parseDockerfile(
        [
          'COPY --chown=node:node --chmod=644 ./src/ /app/src',
          'COPY ["web dir", "package.json", "/app/"]',
          'COPY --from=build /app/dist ./dist',
          'ADD --link https://example.com/x.tgz vendor/ /app/',
          'COPY \\',
          '  /schema.graphql \\',
          '  ./',
        ].join('\n'),
      ),
    );
    expect(copies.map((c) => [c.sources, c.destination])).toEqual([
      [['src'], '/app/src'],
      [['web dir', 'package.json'], '/app/'],
      [['vendor'], '/app/'],
      [['schema.graphql'], './'],
    ]);
  });

  it('given an escape directive, when parsing, then the backtick continues lines', () => {
    expect(parseDockerfile('# escape=`\nCOPY a `\n  b\n')).toEqual([
      { keyword: 'COPY', args: 'a b', line: 2 },
    ]);
  });

  it('given a source with a variable or a wildcard, when listing, then it refuses rather than guess', () => {
    expect(() => contextCopies(parseDockerfile('COPY $DIR /app'))).toThrow(/not supported/);
    expect(() => contextCopies(parseDockerfile('COPY *.json /app'))).toThrow(/not supported/);
  });

  it('given an allowlist that forgets a copied folder, when checking, then the folder is reported; a missing path too', () => {
    const copies = contextCopies(parseDockerfile('COPY src ./src\nCOPY web ./web\nCOPY nope ./'));
    const problems = contextProblems(
      copies,
      ['src/a.ts', 'web/index.html', 'web/src/main.tsx'],
      dockerignoreOf('*\n!src/\n'),
    );
    expect(problems).toEqual([
      'COPY web (Dockerfile line 2): .dockerignore leaves out 2 of its 2 files (web/index.html, web/src/main.tsx)',
      'COPY nope (Dockerfile line 3): no such file or folder in the repository',
    ]);
  });
});
