import { getOperationAST, Kind, parse, type SelectionSetNode } from 'graphql';
import type { Answer } from './http.ts';
import type { HttpRequest } from './model.ts';

/**
 * The checks on every answer, and the shape of a finding. A finding's signature names its
 * cause as far as the answer shows it (the code, the field path, the status), so that the
 * report prints one minimal request per cause rather than hundreds of the same.
 */
export const FINDING_KINDS = [
  'internalError',
  'undocumentedCode',
  'http5xx',
  'nonJsonBody',
  'noAnswer',
  'serviceDown',
  'hiddenWrite',
  'stalePayload',
  'rejectedValid',
  'stateMismatch',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

export const KIND_TITLES: Record<FindingKind, string> = {
  internalError: 'internal errors (INTERNAL_SERVER_ERROR)',
  undocumentedCode: 'undocumented error codes',
  http5xx: 'HTTP 5xx answers',
  nonJsonBody: 'POST /graphql answers that are not JSON',
  noAnswer: 'requests without an answer (reset, timeout)',
  serviceDown: 'service down (/healthz or the process)',
  hiddenWrite: 'hidden writes (journaled, never acknowledged)',
  stalePayload: 'stale payloads (multi-mutation read-your-writes)',
  rejectedValid: 'valid read-your-writes requests refused',
  stateMismatch: 'state mismatches (acknowledged vs journal vs served)',
};

export interface Finding {
  readonly kind: FindingKind;
  readonly signature: string;
  readonly detail: string;
  readonly caseIndex: number | null;
  readonly request: HttpRequest | null;
  readonly answer: Answer | null;
  /** What the service logged at error level for this request, when it was replayed alone. */
  readonly serverLog?: ReadonlyArray<string>;
  /** A hidden write: what the answer showed instead (see state-check.ts). */
  readonly hiding?: {
    readonly kind: 'rate' | 'remove';
    readonly userId: number;
    readonly movieId: number;
    readonly shown: string;
    readonly errors: ReadonlyArray<string>;
  };
}

export interface ErrorBody {
  readonly message?: unknown;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: unknown };
}

export function errorsOf(answer: Answer): ErrorBody[] {
  if (!answer.ok) return [];
  const errors = (answer.json as { errors?: unknown } | null | undefined)?.errors;
  return Array.isArray(errors) ? (errors as ErrorBody[]) : [];
}

/** The codes of an answer's errors ("(none)" for an error without one). */
export function codesOf(answer: Answer): string[] {
  return errorsOf(answer).map((e) =>
    typeof e?.extensions?.code === 'string' ? e.extensions.code : '(none)',
  );
}

/** A message with its numbers and quoted values blanked, so one cause has one signature. */
export function normalizeMessage(message: unknown): string {
  return String(message)
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 100);
}

/**
 * An error path as field names (`rateMovie.movie.similar`), aliases resolved through the
 * document, list indexes left out; the raw path when the document cannot tell.
 */
export function describePath(
  request: HttpRequest,
  path: ReadonlyArray<string | number> | undefined,
): string | null {
  if (!path || path.length === 0) return null;
  const raw = path.filter((p) => typeof p === 'string').join('.');
  const g = request.graphql;
  if (!g || typeof g.query !== 'string') return raw;
  try {
    const document = parse(g.query);
    const op = getOperationAST(
      document,
      typeof g.operationName === 'string' ? g.operationName : undefined,
    );
    if (!op) return raw;
    const fragments = new Map(
      document.definitions.flatMap((d) =>
        d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [],
      ),
    );
    /** The field with response key `key` in `set` (through fragments): its name and selection. */
    const field = (
      set: SelectionSetNode,
      key: string,
      depth = 0,
    ): { name: string; set: SelectionSetNode | null } | null => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD && (sel.alias?.value ?? sel.name.value) === key) {
          return { name: sel.name.value, set: sel.selectionSet ?? null };
        }
        const inner =
          sel.kind === Kind.INLINE_FRAGMENT
            ? sel.selectionSet
            : sel.kind === Kind.FRAGMENT_SPREAD
              ? fragments.get(sel.name.value)
              : undefined;
        if (inner && depth < 20) {
          const found = field(inner, key, depth + 1);
          if (found) return found;
        }
      }
      return null;
    };
    const names: string[] = [];
    let set: SelectionSetNode | null = op.selectionSet;
    for (const key of path) {
      if (typeof key === 'number') continue;
      const found: { name: string; set: SelectionSetNode | null } | null = set
        ? field(set, key)
        : null;
      if (!found) return raw;
      names.push(found.name);
      set = found.set;
    }
    return `${op.operation} ${names.join('.')}`;
  } catch {
    return raw;
  }
}

export interface AnswerContext {
  readonly request: HttpRequest;
  readonly answer: Answer;
  /** What the request is, for signatures: `query`, `mutation`, `raw: <variant>`... */
  readonly label: string;
  readonly documented: ReadonlySet<string>;
  readonly caseIndex: number | null;
}

/**
 * The checks every answer must pass: an answer at all; no 5xx; a JSON body for a POST to
 * /graphql; no INTERNAL_SERVER_ERROR; no code the README does not document.
 */
export function checkAnswer(ctx: AnswerContext): Finding[] {
  const { request, answer, label, documented, caseIndex } = ctx;
  const findings = new Map<string, Finding>();
  const add = (kind: FindingKind, signature: string, detail: string) => {
    const key = `${kind}|${signature}`;
    if (!findings.has(key)) {
      findings.set(key, { kind, signature, detail, caseIndex, request, answer });
    }
  };
  if (!answer.ok) {
    add('noAnswer', `${label}: ${answer.error.replace(/:\d+/g, ':PORT')}`, answer.error);
    return [...findings.values()];
  }
  const codes = codesOf(answer);
  if (answer.status >= 500) {
    add(
      'http5xx',
      `HTTP ${answer.status} (${codes[0] ?? 'no error code'}) for ${label}`,
      answer.text.slice(0, 300),
    );
  }
  if (
    request.method === 'POST' &&
    request.target.startsWith('/graphql') &&
    answer.json === undefined
  ) {
    add(
      'nonJsonBody',
      `HTTP ${answer.status} ${answer.contentType || 'without content type'} for ${label}`,
      answer.text.slice(0, 300),
    );
  }
  for (const error of errorsOf(answer)) {
    const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : null;
    if (code === 'INTERNAL_SERVER_ERROR') {
      const at = describePath(request, error.path);
      add(
        'internalError',
        `${label}, ${at ? `at ${at}` : 'no path'}, HTTP ${answer.status}`,
        String(error.message),
      );
    } else if (code === null || !documented.has(code)) {
      // one cause per code: documenting the code is the fix, whatever the message
      add('undocumentedCode', code ?? '(no code)', String(error.message));
    }
  }
  return [...findings.values()];
}
