import type { ApolloServerPlugin } from '@apollo/server';
import type {
  ArgumentNode,
  DocumentNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { GraphQLError, Kind } from 'graphql';

/**
 * Refuses, before anything runs, an explicit `null` sent for a variable that stands where
 * a value is required. GraphQL lets a nullable variable with a default fill a non-null
 * position (`query ($id: ID = "1") { movie(id: $id) }`), and an explicit null then passes
 * validation and variable coercion, to fail only when the field or directive is executed:
 * inside a mutation's payload (`@include(if: $v)` on a payload field) that failure comes
 * after the write was saved, and hides it. Checked here, the request is refused whole
 * with BAD_USER_INPUT naming the variable, and no mutation runs.
 */
export function nullVariablesPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          const variables = request.variables ?? {};
          const nulls = new Set(
            Object.entries(variables)
              .filter(([, value]) => value === null)
              .map(([name]) => name),
          );
          if (nulls.size === 0 || !operation) return;
          const usage = requiredNull(schema, document, operation, nulls);
          if (usage) {
            throw new GraphQLError(
              `Variable "$${usage.name}" is null where a ${usage.type} is required; send a value, or leave the variable out to use its default`,
              { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}

/**
 * A type as graphql-js prints it, and its wrapped type. Read through properties only:
 * graphql can be loaded twice (its ESM and CommonJS builds, as under a test runner), and
 * graphql's own type helpers refuse the other copy's types.
 */
interface AnyType {
  readonly ofType?: AnyType;
  toString(): string;
  getFields?(): Record<string, { type: AnyType; args?: ReadonlyArray<ArgDef> }>;
}
interface ArgDef {
  readonly name: string;
  readonly type: AnyType;
}

const nonNull = (t: AnyType) => String(t).endsWith('!');
const named = (t: AnyType): AnyType => (t.ofType ? named(t.ofType) : t);

/** The first variable of `nulls` used where its position's type is non-null, if any. */
function requiredNull(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  nulls: ReadonlySet<string>,
): { name: string; type: string } | null {
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const root = (
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType()
  ) as AnyType | null | undefined;
  let found: { name: string; type: string } | null = null;
  const seen = new Set<string>();

  const value = (node: ValueNode, type: AnyType | undefined) => {
    if (found || !type) return;
    if (node.kind === Kind.VARIABLE) {
      if (nulls.has(node.name.value) && nonNull(type))
        found = { name: node.name.value, type: String(type) };
    } else if (node.kind === Kind.LIST) {
      const list = nonNull(type) ? type.ofType : type;
      for (const v of node.values) value(v, list?.ofType);
    } else if (node.kind === Kind.OBJECT) {
      const fields = named(type).getFields?.() ?? {};
      for (const f of node.fields) value(f.value, fields[f.name.value]?.type);
    }
  };
  const args = (nodes: ReadonlyArray<ArgumentNode> | undefined, defs: ReadonlyArray<ArgDef>) => {
    for (const a of nodes ?? []) {
      value(a.value, defs.find((d) => d.name === a.name.value)?.type);
    }
  };
  const IF: ReadonlyArray<ArgDef> = [{ name: 'if', type: { toString: () => 'Boolean!' } }];
  const selections = (set: SelectionSetNode | undefined, parent: AnyType | null | undefined) => {
    if (!set || !parent || found) return;
    const fields = named(parent).getFields?.() ?? {};
    for (const s of set.selections) {
      for (const d of s.directives ?? []) {
        if (d.name.value === 'skip' || d.name.value === 'include') args(d.arguments, IF);
      }
      if (s.kind === Kind.FIELD) {
        const def = fields[s.name.value];
        if (!def) continue;
        args(s.arguments, def.args ?? []);
        selections(s.selectionSet, def.type);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition
          ? (schema.getType(s.typeCondition.name.value) as AnyType)
          : parent;
        selections(s.selectionSet, on);
      } else {
        const fragment = fragments.get(s.name.value);
        if (!fragment || seen.has(s.name.value)) continue;
        seen.add(s.name.value);
        selections(
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) as AnyType,
        );
      }
    }
  };
  for (const d of operation.directives ?? []) args(d.arguments, IF);
  selections(operation.selectionSet, root);
  return found;
}
