import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { MAX_FIRST } from '../service/validate.ts';

/** Every limit on a GraphQL request; each has an environment variable (see config.ts). */
export interface QueryLimits {
  /** Nesting of selection sets, fragments flattened. */
  readonly maxDepth: number;
  readonly maxAliases: number;
  /** Fields selected at the top of one operation: each is a separate entry point. */
  readonly maxRootFields: number;
  readonly maxDirectives: number;
  /** Estimated cost: every field 1, a field's children counted `first` times. */
  readonly maxCost: number;
  /** Characters of the query text. */
  readonly maxQueryLength: number;
  /** Bytes of a request body, as Express's body parser reads it ("100kb"). */
  readonly maxBody: string;
  /** Arrays of operations in one POST; off unless asked for. */
  readonly batchRequests: boolean;
  /** graphql-js's "Did you mean ...?" hints; off in production. */
  readonly fieldSuggestions: boolean;
}

export const defaultLimits: QueryLimits = {
  maxDepth: 10,
  maxAliases: 20,
  maxRootFields: 20,
  maxDirectives: 20,
  maxCost: 5000,
  maxQueryLength: 10_000,
  maxBody: '100kb',
  batchRequests: false,
  fieldSuggestions: true,
};

/** The code of every rejection by a limit; `extensions.limit` names which one. */
export const LIMIT_CODE = 'QUERY_LIMIT_EXCEEDED';

export function limitError(
  limit: keyof QueryLimits,
  max: number,
  message: string,
  http?: { status: number },
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: LIMIT_CODE, limit, max, ...(http ? { http } : {}) },
  });
}

/**
 * Validation rules and plugins that enforce the limits: GraphQL Armor for depth, aliases,
 * directives and field suggestions, graphql-query-complexity for the cost, and a rule of
 * our own for root fields (Armor has none).
 */
export function limitProtection(limits: QueryLimits): {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
} {
  const report =
    (limit: keyof QueryLimits, max: number) =>
    (ctx: ValidationContext | null, error: GraphQLError) => {
      // Armor words every rejection as a syntax error; it is not one
      ctx?.reportError(limitError(limit, max, error.message.replace(/^Syntax Error: /, '')));
    };
  const armor = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [report('maxDepth', limits.maxDepth)],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [report('maxAliases', limits.maxAliases)],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [report('maxDirectives', limits.maxDirectives)],
    },
    // graphql-js's own maxTokens bound and the query length limit cover this
    maxTokens: { enabled: false },
    // Armor's cost does not weigh lists by `first`; costPlugin below does
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !limits.fieldSuggestions },
  }).protect();
  return {
    // Armor's types name Apollo's CommonJS build, this project the ESM one: same shapes
    plugins: [...(armor.plugins as unknown as ApolloServerPlugin[]), costPlugin(limits.maxCost)],
    validationRules: [...armor.validationRules, rootFieldsRule(limits.maxRootFields)],
  };
}

/** At most `max` fields at the top of each operation, counted through fragments. */
export function rootFieldsRule(max: number): ValidationRule {
  return (context): ASTVisitor => {
    const count = (set: SelectionSetNode, seen: Set<string>): number => {
      let n = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) n++;
        else if (selection.kind === Kind.INLINE_FRAGMENT) n += count(selection.selectionSet, seen);
        else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) n += count(fragment.selectionSet, seen);
        }
      }
      return n;
    };
    return {
      OperationDefinition(node) {
        const n = count(node.selectionSet, new Set());
        if (n > max) {
          context.reportError(
            limitError(
              'maxRootFields',
              max,
              `the operation selects ${n} root fields; the limit is ${max}`,
            ),
          );
        }
      },
    };
  };
}

/**
 * The cost of a field: 1, plus its children's cost times `first` for a paged list (the
 * number of items it can return). `first` is clamped to its allowed range here, so an
 * out-of-range `first` is reported by its own argument check, with its own message.
 */
export const firstWeightedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_FIRST) : 1;
  return 1 + first * childComplexity;
};

/**
 * The variables a document's cost can depend on: those given to a `first` argument (the
 * estimator's weight) or to a directive (@skip and @include drop what they guard).
 * Others, such as a user id, never change it.
 */
const costVariables = new WeakMap<DocumentNode, string[]>();

function costKey(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): string {
  let names = costVariables.get(document);
  if (!names) {
    const found = new Set<string>();
    const collect = (node: ASTNode) =>
      visit(node, {
        Variable(v) {
          found.add(v.name.value);
        },
      });
    visit(document, {
      Argument(arg) {
        if (arg.name.value === 'first') collect(arg.value);
      },
      Directive(directive) {
        collect(directive);
      },
    });
    names = [...found].sort();
    costVariables.set(document, names);
  }
  // an absent variable (its default applies) and an explicit null cost differently
  const values = names.map((name) => (name in variables ? JSON.stringify(variables[name]) : '-'));
  return `${operationName ?? ''}\n${values.join('\n')}`;
}

/** Costs remembered per parsed document, for so many operation and variable shapes. */
const COSTS_PER_DOCUMENT = 32;
/** Keys longer than this (variables as JSON) are costed every time, not remembered. */
const MAX_COST_KEY_CHARS = 512;

/**
 * Rejects an operation whose estimated cost is over `max`, before anything runs. A cost
 * depends only on the document, the operation and the variables of `first` arguments and
 * directives (costKey), so it is remembered per parsed document (which Apollo's document
 * cache hands back for a repeated query text) and per operation and those variables:
 * walking the document again cost about a twelfth of a trivial request's CPU.
 */
function costPlugin(max: number): ApolloServerPlugin {
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  const costOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown>,
  ): number | null => {
    try {
      return getComplexity({
        schema,
        query: document,
        variables,
        operationName,
        estimators: [firstWeightedEstimator],
      });
    } catch {
      // variables that do not coerce: execution reports them with their own error
      return null;
    }
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const variables = request.variables ?? {};
          const operationName = request.operationName ?? undefined;
          const key = costKey(document, operationName, variables);
          const known = costs.get(document);
          let cost: number | null | undefined = known?.get(key);
          if (cost === undefined) {
            cost = costOf(schema, document, operationName, variables);
            // a cost that could not be computed (variables that do not coerce) is not
            // kept: the key leaves most variables out, and valid ones must be costed
            if (cost !== null && key.length <= MAX_COST_KEY_CHARS) {
              const remembered = known ?? new Map<string, number>();
              if (remembered.size >= COSTS_PER_DOCUMENT) remembered.clear();
              remembered.set(key, cost);
              costs.set(document, remembered);
            }
          }
          if (cost === null) return;
          if (cost > max) {
            throw limitError(
              'maxCost',
              max,
              `the query's estimated cost is ${cost}; the limit is ${max} (each field costs 1, and a list's fields count once per item its first argument asks for)`,
              { status: 400 },
            );
          }
        },
      };
    },
  };
}
