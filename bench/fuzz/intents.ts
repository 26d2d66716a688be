import {
  type DocumentNode,
  type FieldNode,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  validate,
} from 'graphql';
import type { HttpRequest } from './model.ts';

/**
 * Which writes a request asks for, worked out with graphql-js itself (parse, validate,
 * pick the operation, coerce the variables, apply @skip/@include, follow fragments), so
 * that an answer's `data[key]` can be matched to the rating it acknowledges. It is an
 * over-approximation on purpose: a write the server refuses for a reason not modelled
 * here (a limit, a GET) is simply never acknowledged.
 */
export interface Intent {
  /** The response key: the alias, or the field name. */
  readonly key: string;
  readonly kind: 'rate' | 'remove';
  readonly userId: number;
  readonly movieId: number;
  /** rate only: the value as sent (the service may round it onto the scale). */
  readonly rating: number | null;
}

const MAX_ID = 0x7fffffff;

/** The service's id rule (src/service/validate.ts `parseId`), or null when it refuses. */
export function idOf(raw: unknown): number | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const text = String(raw).trim();
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_ID ? id : null;
}

/** The mutation root fields that run, with their coerced arguments, in execution order. */
function rootFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  root: GraphQLObjectType,
): { key: string; node: FieldNode }[] {
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const out = new Map<string, FieldNode>();
  const included = (node: Parameters<typeof getDirectiveValues>[1]) => {
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  };
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        if (!out.has(key)) out.set(key, s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || s.typeCondition.name.value === root.name)
          visit(s.selectionSet, seen);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment && fragment.typeCondition.name.value === root.name) {
          visit(fragment.selectionSet, seen);
        }
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return [...out].map(([key, node]) => ({ key, node }));
}

/** The writes `request` asks for; empty when it cannot run as a mutation. */
export function intentsOf(schema: GraphQLSchema, request: HttpRequest): Intent[] {
  const g = request.graphql;
  if (!g || typeof g.query !== 'string') return [];
  if (
    g.operationName !== undefined &&
    g.operationName !== null &&
    typeof g.operationName !== 'string'
  ) {
    return [];
  }
  if (
    g.variables !== undefined &&
    g.variables !== null &&
    (typeof g.variables !== 'object' || Array.isArray(g.variables))
  ) {
    return [];
  }
  let document: DocumentNode;
  try {
    document = parse(g.query);
  } catch {
    return [];
  }
  if (validate(schema, document).length > 0) return [];
  const operation = getOperationAST(
    document,
    (g.operationName as string | null | undefined) ?? undefined,
  );
  const root = schema.getMutationType();
  if (operation?.operation !== 'mutation' || !root) return [];
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    (g.variables as Record<string, unknown> | null | undefined) ?? {},
  );
  if (coerced.errors) return [];
  const intents: Intent[] = [];
  let fields: { key: string; node: FieldNode }[];
  try {
    fields = rootFields(document, operation, coerced.coerced, root);
  } catch {
    // a directive's argument that does not coerce (an explicit null): nothing runs
    return [];
  }
  for (const { key, node } of fields) {
    const kind =
      node.name.value === 'rateMovie'
        ? 'rate'
        : node.name.value === 'removeRating'
          ? 'remove'
          : null;
    const def = root.getFields()[node.name.value];
    if (!kind || !def) continue;
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(def, node, coerced.coerced);
    } catch {
      continue;
    }
    const input = args.input as Record<string, unknown> | undefined;
    const userId = idOf(input?.userId);
    const movieId = idOf(input?.movieId);
    if (userId === null || movieId === null) continue;
    const rating = kind === 'rate' ? (input?.rating as number) : null;
    if (kind === 'rate' && (typeof rating !== 'number' || !Number.isFinite(rating))) continue;
    intents.push({ key, kind, userId, movieId, rating });
  }
  return intents;
}

function errorPaths(body: unknown): unknown[][] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e) => (Array.isArray(e?.path) ? [e.path as unknown[]] : []));
}

/**
 * The writes the answer shows as accepted: the mutation field is in `data` and not null,
 * and no error names the field itself.
 *
 * An error below the field (a payload field that failed: `["m0", "user", "ratings"]`)
 * does not undo the acknowledgement. GraphQL nulls a field whose resolver throws, so a
 * non-null `rateMovie` means the write went through, and an error inside its payload can
 * only be reported beside it; counting such a write as hidden would fail every service
 * whose payload has a field with arguments. Those writes are counted apart
 * (`acknowledgedWithPayloadErrors`) so the report shows how often it happens.
 */
export function acknowledged(intents: ReadonlyArray<Intent>, body: unknown): Intent[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!data || typeof data !== 'object') return [];
  const refused = new Set(
    errorPaths(body)
      .filter((p) => p.length === 1)
      .map((p) => p[0]),
  );
  return intents.filter((i) => {
    const value = (data as Record<string, unknown>)[i.key];
    return value !== null && value !== undefined && !refused.has(i.key);
  });
}

/** The acknowledged writes with an error inside their payload. */
export function withPayloadErrors(acked: ReadonlyArray<Intent>, body: unknown): Intent[] {
  const below = new Set(
    errorPaths(body)
      .filter((p) => p.length > 1)
      .map((p) => p[0]),
  );
  return acked.filter((i) => below.has(i.key));
}
