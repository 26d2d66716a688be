import fc from 'fast-check';
import {
  type GraphQLArgument,
  GraphQLBoolean,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  GraphQLNonNull,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import type {
  ArgValue,
  Directive,
  ExtensionsSpec,
  FuzzCase,
  GraphqlCase,
  Operation,
  OperationNameSpec,
  PersistedQueryVariant,
  Sel,
  Send,
  TextDamage,
  Val,
  VariablesSpec,
} from './model.ts';
import {
  extraVariableArb,
  NULL,
  type Pools,
  pollutingKeys,
  type Semantic,
  scalarArb,
  semanticOf,
  wrongKindArb,
} from './pools.ts';
import { rawCaseArb } from './raw-cases.ts';
import { rywCaseArb } from './read-your-writes.ts';

/**
 * Requests generated from the schema itself: every operation, field, argument and input
 * field comes from walking `schema.graphql`'s types, so a change of the schema changes what
 * is sent. Values come from the pools (`pools.ts`), mostly valid, some hostile. One
 * request in four is careless: it may also hold the mistakes of a careless client (an
 * unknown field, a missing required argument, a wrong variable type, a repeated
 * directive, a fragment on the wrong type, damaged text).
 */

/** How deep and wide selections grow. */
interface Shape {
  readonly name: string;
  readonly maxDepth: number;
  readonly maxBreadth: number;
  /** Weight of a composite field at this depth (a leaf weighs `leafWeight`). */
  readonly compositeWeight: (depth: number) => number;
  readonly leafWeight: number;
}

const NORMAL: Shape = {
  name: 'normal',
  maxDepth: 5,
  maxBreadth: 3,
  compositeWeight: (d) => Math.max(8, 30 - 6 * d),
  leafWeight: 30,
};

/** Narrow and deep, past the service's depth limit now and then. */
const DEEP: Shape = {
  name: 'deep',
  maxDepth: 13,
  maxBreadth: 2,
  compositeWeight: () => 120,
  leafWeight: 5,
};

const ALIASES = ['a', 'b', 'c', 'id', 'first', 'x'] as const;

export interface CaseWeights {
  readonly graphql: number;
  readonly raw: number;
  readonly ryw: number;
}

export const DEFAULT_WEIGHTS: CaseWeights = { graphql: 80, raw: 13, ryw: 7 };

type Weighted<T> = { readonly weight: number; readonly arbitrary: fc.Arbitrary<T> };

/**
 * fc.oneof over the alternatives whose weight is not 0 (a clean request drops the
 * mistakes). The first alternative is the plainest (no directive, no alias, a valid
 * value), and shrinking may move to it from any other: that is how a shrunk request loses
 * the `@skip(if: false)` that had nothing to do with its failure.
 */
function pick<T>(...items: Weighted<T>[]): fc.Arbitrary<T> {
  const kept = items.filter((i) => i.weight > 0);
  return kept.length === 1 ? kept[0].arbitrary : fc.oneof({ withCrossShrink: true }, ...kept);
}

/**
 * Generates from one schema and pools. Every arbitrary comes in two modes: a clean one,
 * whose documents pass GraphQL validation (values may still be out of range, ids unknown,
 * variables wrong), and a careless one that also makes the mistakes of a careless client.
 * Mixing mistakes into every request would make almost every document invalid, and the
 * resolvers would never run.
 */
export class Generator {
  private readonly selectionMemo = new Map<string, fc.Arbitrary<ReadonlyArray<Sel>>>();
  private readonly valueMemo = new Map<string, fc.Arbitrary<Val>>();

  constructor(
    readonly schema: GraphQLSchema,
    readonly pools: Pools,
  ) {}

  /** Any request: generated from the schema, hand-written HTTP, or read-your-writes. */
  fuzzCase(weights: CaseWeights = DEFAULT_WEIGHTS): fc.Arbitrary<FuzzCase> {
    return fc.oneof(
      { weight: weights.graphql, arbitrary: this.graphqlCase() },
      { weight: weights.raw, arbitrary: rawCaseArb(this.pools) },
      { weight: weights.ryw, arbitrary: rywCaseArb() },
    );
  }

  /** Three in four clean, one in four careless. */
  graphqlCase(): fc.Arbitrary<GraphqlCase> {
    return pick(
      { weight: 3, arbitrary: this.graphqlCaseOf(false) },
      { weight: 1, arbitrary: this.graphqlCaseOf(true) },
    );
  }

  private graphqlCaseOf(careless: boolean): fc.Arbitrary<GraphqlCase> {
    const op = this.operation(careless);
    // several operations: named unless careless (an anonymous one among several is invalid)
    const several = fc
      .array(op, { minLength: 2, maxLength: 3 })
      .map((ops) => (careless ? ops : ops.map((o) => ({ ...o, named: true }))));
    const m = careless ? 1 : 0;
    return fc.record({
      family: fc.constant('graphql' as const),
      careless: fc.constant(careless),
      ops: pick({ weight: 8, arbitrary: op.map((o) => [o]) }, { weight: 2, arbitrary: several }),
      variables: pick<VariablesSpec>(
        {
          weight: 40,
          arbitrary: fc.record({
            mode: fc.constant('object' as const),
            extra: pick(
              { weight: 12, arbitrary: fc.constant([] as (readonly [string, Val])[]) },
              { weight: 1, arbitrary: fc.array(extraVariableArb, { minLength: 1, maxLength: 2 }) },
            ),
          }),
        },
        { weight: 1, arbitrary: fc.constant({ mode: 'absent' as const }) },
        { weight: 2 * m, arbitrary: weirdVariables },
      ),
      operationName: pick<OperationNameSpec>(
        { weight: 12, arbitrary: fc.constant({ k: 'none' as const }) },
        { weight: 20, arbitrary: fc.nat(2).map((index) => ({ k: 'op' as const, index })) },
        { weight: 2 * m, arbitrary: fc.constant({ k: 'unknown' as const }) },
        { weight: 2 * m, arbitrary: weirdOperationName },
      ),
      extensions: pick<ExtensionsSpec>(
        { weight: 60, arbitrary: fc.constant({ k: 'none' as const }) },
        { weight: 3, arbitrary: persistedQuery },
        { weight: 1, arbitrary: pollutingExtensions },
        { weight: 2 * m, arbitrary: weirdExtensions },
      ),
      damage: pick<TextDamage>(
        { weight: 60, arbitrary: fc.constant('none' as const) },
        // over the length limit is valid GraphQL, just too long
        { weight: 1, arbitrary: fc.constant('padPastLimit' as const) },
        { weight: 12 * m, arbitrary: damaged },
      ),
      transport: pick(
        { weight: 24, arbitrary: fc.constant('post' as const) },
        { weight: 2, arbitrary: fc.constant('get' as const) },
        { weight: 1, arbitrary: fc.constant('get-no-preflight' as const) },
      ),
    });
  }

  operation(careless: boolean): fc.Arbitrary<Operation> {
    const query = this.schema.getQueryType();
    if (!query) throw new Error('the schema has no query type');
    const mutation = this.schema.getMutationType();
    // a subscription is what a careless client sends even where the schema defines none
    const subscription = this.schema.getSubscriptionType() ?? query;
    const op = (type: Operation['type'], root: GraphQLObjectType, shape: Shape) =>
      fc.record({
        type: fc.constant(type),
        named: fc.boolean(),
        dirs: pick(
          { weight: 40, arbitrary: fc.constant([] as Directive[]) },
          { weight: careless ? 1 : 0, arbitrary: this.directive(true).map((d) => [d]) },
        ),
        sel: this.selectionSet(root, 0, shape, true, careless),
      });
    return fc.oneof(
      { weight: 70, arbitrary: op('query', query, NORMAL) },
      ...(mutation ? [{ weight: 16, arbitrary: op('mutation', mutation, NORMAL) }] : []),
      { weight: 5, arbitrary: op('subscription', subscription, NORMAL) },
      { weight: 3, arbitrary: op('query', query, DEEP) },
    );
  }

  /** One to `maxBreadth` selections of `type`'s fields, with fragments where allowed. */
  selectionSet(
    type: GraphQLObjectType,
    depth: number,
    shape: Shape,
    fragments: boolean,
    careless: boolean,
  ): fc.Arbitrary<ReadonlyArray<Sel>> {
    const key = `${type.name}/${depth}/${shape.name}/${fragments}/${careless}`;
    const memo = this.selectionMemo.get(key);
    if (memo) return memo;
    const m = careless ? 1 : 0;
    const items: Weighted<Sel>[] = [];
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const composite = isCompositeType(named);
      if (composite && depth + 1 >= shape.maxDepth) continue;
      items.push({
        weight: composite ? shape.compositeWeight(depth) : shape.leafWeight,
        arbitrary: this.field(field, depth, shape, careless),
      });
    }
    items.push({ weight: 5, arbitrary: fc.constant(leaf('__typename')) });
    if (depth === 0 && type === this.schema.getQueryType()) {
      items.push({ weight: 4, arbitrary: introspection });
    }
    if (fragments) {
      const body = this.selectionSet(type, depth, shape, false, careless);
      const dirs = this.directives(careless);
      items.push({
        weight: 8,
        arbitrary: fc.record({
          k: fc.constant('inline' as const),
          on: pick<string | null>(
            { weight: 12, arbitrary: fc.constant(type.name) },
            { weight: 8, arbitrary: fc.constant(null) },
            { weight: 2 * m, arbitrary: fc.constant(this.otherType(type)) },
          ),
          dirs,
          sel: body,
        }),
      });
      items.push({
        weight: 8,
        arbitrary: fc.record({
          k: fc.constant('spread' as const),
          on: pick(
            { weight: 20, arbitrary: fc.constant(type.name) },
            { weight: 2 * m, arbitrary: fc.constant(this.otherType(type)) },
          ),
          dirs,
          sel: body,
        }),
      });
    }
    items.push({ weight: 3 * m, arbitrary: this.mistake(type) });
    const arb = fc.array(pick(...items), { minLength: 1, maxLength: shape.maxBreadth });
    this.selectionMemo.set(key, arb);
    return arb;
  }

  /** Another object type of the schema, for a fragment on the wrong type. */
  private otherType(type: GraphQLObjectType): string {
    const names = Object.values(this.schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__') && t !== type)
      .map((t) => t.name)
      .sort();
    return names[0] ?? 'Query';
  }

  /** A field with its arguments, directives and (for an object) a selection of its own. */
  private field(
    field: GraphQLField<unknown, unknown>,
    depth: number,
    shape: Shape,
    careless: boolean,
  ): fc.Arbitrary<Sel> {
    const named = getNamedType(field.type);
    let sel: fc.Arbitrary<ReadonlyArray<Sel> | null> = fc.constant(null);
    if (isObjectType(named)) {
      sel = this.selectionSet(named, depth + 1, shape, true, careless);
    } else if (isInterfaceType(named) || isUnionType(named)) {
      // this schema has neither; were one added, it would be asked only its type name
      sel = fc.constant([leaf('__typename')]);
    }
    return fc.record({
      k: fc.constant('field' as const),
      name: fc.constant(field.name),
      // a clean request's repeated keys are renamed when rendering; careless ones may clash
      alias: pick<string | null>(
        { weight: 30, arbitrary: fc.constant(null) },
        { weight: 10, arbitrary: fc.constantFrom(`${field.name}1`, `${field.name}2`) },
        { weight: careless ? 3 : 0, arbitrary: fc.constantFrom(...ALIASES) },
      ),
      args: this.args(field, careless),
      dirs: this.directives(careless),
      sel,
    });
  }

  /** Mistakes in a selection: an unknown field, a leaf with a selection, an object without one. */
  private mistake(type: GraphQLObjectType): fc.Arbitrary<Sel> {
    const fields = Object.values(type.getFields());
    const leafField = fields.find((f) => !isCompositeType(getNamedType(f.type)));
    const objectField = fields.find((f) => isCompositeType(getNamedType(f.type)));
    const options: Sel[] = [leaf('nope')];
    if (leafField) options.push({ ...leaf(leafField.name), sel: [leaf('id')] });
    if (objectField?.args.every((a) => !isNonNullType(a.type))) {
      options.push(leaf(objectField.name));
    }
    return fc.constantFrom(...options);
  }

  /** The field's arguments: required ones always (careless: nearly), optional ones half the time. */
  private args(
    field: GraphQLField<unknown, unknown>,
    careless: boolean,
  ): fc.Arbitrary<ReadonlyArray<{ name: string; value: ArgValue }>> {
    const m = careless ? 1 : 0;
    const present = field.args.map((arg) => {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      const value = this.argValue(
        arg.type,
        semanticOf(field.name, arg.name, namedName(arg)),
        careless,
      );
      const entry = value.map((v) => ({ name: arg.name, value: v }));
      return required
        ? pick({ weight: 30, arbitrary: entry }, { weight: m, arbitrary: fc.constant(null) })
        : fc.option(entry, { nil: null, freq: 2 });
    });
    const stray = pick(
      { weight: 30, arbitrary: fc.constant(null) },
      {
        weight: m,
        arbitrary: fc.constant({ name: 'nope', value: { k: 'lit', v: NULL } as ArgValue }),
      },
    );
    return fc
      .tuple(fc.tuple(...present), stray)
      .map(([args, extra]) =>
        [...args, extra].filter((a): a is { name: string; value: ArgValue } => a !== null),
      );
  }

  /**
   * An argument as written: a literal, a variable (declared with the argument's type, or a
   * nullable one with a default, or, careless, a wrong one), an object literal whose fields
   * may be variables, or (careless) a reference to a variable that is not declared.
   */
  argValue(type: GraphQLInputType, semantic: Semantic, careless: boolean): fc.Arbitrary<ArgValue> {
    const named = getNamedType(type);
    const items: Weighted<ArgValue>[] = [
      {
        weight: 40,
        arbitrary: this.value(type, semantic, careless).map((v) => ({ k: 'lit' as const, v })),
      },
      { weight: 12, arbitrary: this.variable(type, semantic, careless) },
      { weight: careless ? 2 : 0, arbitrary: fc.constant({ k: 'undeclared' as const }) },
    ];
    if (isInputObjectType(named) && !isListType(nullableOf(type))) {
      const fields = Object.values(named.getFields()).map((f) =>
        this.inputField(f, careless, (t, s) =>
          pick(
            {
              weight: 3,
              arbitrary: this.value(t, s, careless).map((v) => ({ k: 'lit' as const, v })),
            },
            { weight: 1, arbitrary: this.variable(t, s, careless) },
          ),
        ),
      );
      items.push({
        weight: 12,
        arbitrary: fc.tuple(...fields).map((fs) => ({
          k: 'obj' as const,
          fields: fs.filter((f): f is [string, ArgValue] => f !== null),
        })),
      });
    }
    return pick(...items);
  }

  /**
   * A variable: the value is sent right (its JSON may still be out of range), as an
   * explicit null, left out, or of the wrong JSON type. Declared with the argument's type,
   * or nullable with a default (valid where a value is required; an explicit null then
   * reaches the argument), or, careless, with a wrong type.
   */
  private variable(
    type: GraphQLInputType,
    semantic: Semantic,
    careless: boolean,
  ): fc.Arbitrary<ArgValue> {
    const exact = String(type);
    const nullable = isNonNullType(type) ? String(type.ofType) : exact;
    // what a variable carries is checked when the request runs, never by validation
    const send = pick<Send>(
      {
        weight: 40,
        arbitrary: this.value(type, semantic, true).map((v) => ({ s: 'json' as const, v })),
      },
      { weight: 2, arbitrary: fc.constant({ s: 'null' as const }) },
      { weight: 2, arbitrary: fc.constant({ s: 'missing' as const }) },
      { weight: 1, arbitrary: wrongKindArb.map((v) => ({ s: 'json' as const, v })) },
    );
    const wrongDecl = isScalarType(getNamedType(type))
      ? ['String', 'Int!', 'Boolean', 'Nope'].filter((t) => t !== exact && t !== nullable)
      : ['String', 'Nope'];
    return pick<ArgValue>(
      {
        weight: 20,
        arbitrary: fc.record({
          k: fc.constant('var' as const),
          decl: fc.constant(exact),
          dflt: fc.constant(null),
          send,
        }),
      },
      {
        weight: 12,
        arbitrary: fc.record({
          k: fc.constant('var' as const),
          decl: fc.constantFrom(nullable, exact),
          dflt: this.nonNull(nullableOf(type), semantic, careless),
          send,
        }),
      },
      {
        weight: careless ? 3 : 0,
        arbitrary: fc.record({
          k: fc.constant('var' as const),
          decl: fc.constantFrom(...wrongDecl),
          dflt: fc.constant(null),
          send,
        }),
      },
    );
  }

  /**
   * A value of `type` without variables (a literal, a default, a variable's JSON). Clean
   * values fit the type (GraphQL accepts them; the service may still refuse them); careless
   * ones may be null where null is not allowed, of the wrong kind, or out of the type.
   */
  value(type: GraphQLInputType, semantic: Semantic, careless: boolean): fc.Arbitrary<Val> {
    const key = `${String(type)}/${semantic}/${careless}`;
    const memo = this.valueMemo.get(key);
    if (memo) return memo;
    const arb = isNonNullType(type)
      ? pick(
          { weight: 20, arbitrary: this.nonNull(type.ofType, semantic, careless) },
          { weight: careless ? 1 : 0, arbitrary: fc.constant(NULL) },
        )
      : pick(
          { weight: 20, arbitrary: this.nonNull(type, semantic, careless) },
          { weight: 1, arbitrary: fc.constant(NULL) },
        );
    this.valueMemo.set(key, arb);
    return arb;
  }

  /** A value of `type` other than null. */
  private nonNull(
    type: GraphQLInputType,
    semantic: Semantic,
    careless: boolean,
  ): fc.Arbitrary<Val> {
    const m = careless ? 1 : 0;
    if (isListType(type)) {
      const item = this.value(type.ofType, semantic, careless);
      return pick(
        {
          weight: 8,
          arbitrary: fc.array(item, { maxLength: 3 }).map((items): Val => ({ t: 'list', items })),
        },
        // input coercion takes a single value for a list
        { weight: 2, arbitrary: item },
      );
    }
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).map((f) =>
        this.inputField(f, careless, (t, s) => this.value(t, s, careless)),
      );
      const stray = pick(
        { weight: 20, arbitrary: fc.constant(null) },
        {
          weight: m,
          arbitrary: fc
            .constantFrom('nope', ...pollutingKeys)
            .map((k): [string, Val] => [
              k,
              { t: 'obj', fields: [['polluted', { t: 'bool', v: true }]] },
            ]),
        },
      );
      return pick(
        {
          weight: 20,
          arbitrary: fc.tuple(fc.tuple(...fields), stray).map(
            ([fs, extra]): Val => ({
              t: 'obj',
              fields: [...fs, extra].filter((f): f is [string, Val] => f !== null),
            }),
          ),
        },
        { weight: m, arbitrary: wrongKindArb },
      );
    }
    if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.name);
      return pick(
        { weight: 20, arbitrary: fc.constantFrom(...values).map((v): Val => ({ t: 'enum', v })) },
        {
          weight: 2 * m,
          arbitrary: fc.constantFrom<Val>(
            { t: 'enum', v: 'BOGUS' },
            { t: 'enum', v: values[0].toLowerCase() },
            { t: 'str', v: values[0] },
          ),
        },
      );
    }
    return pick(
      { weight: 20, arbitrary: scalarArb(this.pools, semantic, careless) },
      { weight: m, arbitrary: wrongKindArb },
    );
  }

  /** An input field: required ones always (careless: nearly), optional ones half the time. */
  private inputField<T>(
    field: GraphQLInputField,
    careless: boolean,
    value: (type: GraphQLInputType, semantic: Semantic) => fc.Arbitrary<T>,
  ): fc.Arbitrary<[string, T] | null> {
    const required = isNonNullType(field.type) && field.defaultValue === undefined;
    const entry = value(field.type, semanticOf('', field.name, namedName(field))).map(
      (v): [string, T] => [field.name, v],
    );
    return required
      ? pick(
          { weight: 30, arbitrary: entry },
          { weight: careless ? 1 : 0, arbitrary: fc.constant(null) },
        )
      : fc.option(entry, { nil: null, freq: 2 });
  }

  private directives(careless: boolean): fc.Arbitrary<ReadonlyArray<Directive>> {
    return pick(
      { weight: 14, arbitrary: fc.constant([] as Directive[]) },
      { weight: 3, arbitrary: this.directive(careless).map((d) => [d]) },
      // both: a valid pair; careless: maybe the same one twice
      {
        weight: 1,
        arbitrary: careless
          ? fc.array(this.directive(careless), { minLength: 2, maxLength: 2 })
          : fc.tuple(this.condition(careless), this.condition(careless)).map(([a, b]) => [
              { name: 'skip', args: [{ name: 'if', value: a }] },
              { name: 'include', args: [{ name: 'if', value: b }] },
            ]),
      },
    );
  }

  private condition(careless: boolean): fc.Arbitrary<ArgValue> {
    return this.argValue(new GraphQLNonNull(GraphQLBoolean), 'bool', careless);
  }

  /** `@skip`/`@include` with a literal or a variable; careless, one that does not apply. */
  private directive(careless: boolean): fc.Arbitrary<Directive> {
    return pick(
      {
        weight: 20,
        arbitrary: fc.record({
          name: fc.constantFrom('skip', 'include'),
          args: this.condition(careless).map((value) => [{ name: 'if', value }]),
        }),
      },
      {
        weight: careless ? 2 : 0,
        arbitrary: fc.constantFrom<Directive>(
          { name: 'skip', args: [] },
          { name: 'deprecated', args: [] },
          { name: 'nope', args: [] },
        ),
      },
    );
  }
}

function leaf(name: string): Sel {
  return { k: 'field', name, alias: null, args: [], dirs: [], sel: null };
}

function namedName(arg: GraphQLArgument | GraphQLInputField): string {
  return getNamedType(arg.type).name;
}

function nullableOf(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

/** Introspection at the root: allowed in development, refused in production. */
const introspection: fc.Arbitrary<Sel> = fc.constantFrom<Sel>(
  {
    k: 'field',
    name: '__schema',
    alias: null,
    args: [],
    dirs: [],
    sel: [leaf('description'), { ...leaf('queryType'), sel: [leaf('name')] }],
  },
  {
    k: 'field',
    name: '__schema',
    alias: null,
    args: [],
    dirs: [],
    sel: [{ ...leaf('types'), sel: [leaf('name'), leaf('kind')] }],
  },
  {
    k: 'field',
    name: '__type',
    alias: null,
    args: [{ name: 'name', value: { k: 'lit', v: { t: 'str', v: 'Movie' } } }],
    dirs: [],
    sel: [leaf('name'), { ...leaf('fields'), sel: [leaf('name')] }],
  },
  {
    k: 'field',
    name: '__type',
    alias: null,
    args: [{ name: 'name', value: { k: 'lit', v: { t: 'str', v: 'x'.repeat(300) } } }],
    dirs: [],
    sel: [leaf('name')],
  },
);

const weirdVariables: fc.Arbitrary<VariablesSpec> = fc
  .constantFrom<Val>({ t: 'str', v: '{}' }, { t: 'list', items: [] }, { t: 'int', v: '5' }, NULL)
  .map((value) => ({ mode: 'weird' as const, value }));

const weirdOperationName: fc.Arbitrary<OperationNameSpec> = fc
  .constantFrom<Val>({ t: 'int', v: '5' }, { t: 'obj', fields: [] }, { t: 'str', v: '' })
  .map((value) => ({ k: 'weird' as const, value }));

const persistedVariants: ReadonlyArray<PersistedQueryVariant> = [
  'right',
  'wrongHash',
  'unknownVersion',
  'numericHash',
  'hashOnly',
  'versionString',
];

const persistedQuery: fc.Arbitrary<ExtensionsSpec> = fc
  .constantFrom(...persistedVariants)
  .map((variant) => ({ k: 'persistedQuery' as const, variant }));

const pollutingExtensions: fc.Arbitrary<ExtensionsSpec> = fc
  .constantFrom(...pollutingKeys)
  .map((key) => ({ k: 'pollute' as const, key }));

const weirdExtensions: fc.Arbitrary<ExtensionsSpec> = fc
  .constantFrom<Val>(
    { t: 'str', v: 'x' },
    { t: 'list', items: [] },
    { t: 'obj', fields: [['persistedQuery', NULL]] },
  )
  .map((value) => ({ k: 'weird' as const, value }));

const damaged: fc.Arbitrary<TextDamage> = fc.constantFrom<TextDamage>(
  'truncate',
  'extraBrace',
  'garbage',
  'empty',
);
