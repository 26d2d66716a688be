/**
 * What the fuzzer generates, as plain data: fast-check builds and shrinks these values,
 * `render.ts` turns them into HTTP requests, and the report prints the rendered request.
 * Nothing here holds query text directly, so a shrink (a field fewer, a simpler argument)
 * is always a smaller request of the same shape.
 */

/** A GraphQL input value without variables: a literal, a default, or sent as JSON. */
export type Val =
  | { readonly t: 'null' }
  | { readonly t: 'bool'; readonly v: boolean }
  /** Digits as text, so 5,000-digit numbers and 2^31 stay exact in the query text. */
  | { readonly t: 'int'; readonly v: string }
  | { readonly t: 'float'; readonly v: string }
  | { readonly t: 'str'; readonly v: string }
  /** A bare name: an enum value, or `NaN` written where a number belongs. */
  | { readonly t: 'enum'; readonly v: string }
  | { readonly t: 'list'; readonly items: ReadonlyArray<Val> }
  | { readonly t: 'obj'; readonly fields: ReadonlyArray<readonly [string, Val]> };

/** How a variable's value travels in the request's `variables`. */
export type Send =
  | { readonly s: 'json'; readonly v: Val }
  | { readonly s: 'null' }
  | { readonly s: 'missing' };

/** An argument (or input field, or list item) as written in the document. */
export type ArgValue =
  | { readonly k: 'lit'; readonly v: Val }
  | { readonly k: 'list'; readonly items: ReadonlyArray<ArgValue> }
  | { readonly k: 'obj'; readonly fields: ReadonlyArray<readonly [string, ArgValue]> }
  /**
   * A variable, declared on the operation as `decl` (the argument's type, or on purpose
   * a nullable or wrong one) with an optional default. The name is given when rendering.
   */
  | { readonly k: 'var'; readonly decl: string; readonly dflt: Val | null; readonly send: Send }
  /** `$undeclared`: a reference the operation does not declare. */
  | { readonly k: 'undeclared' };

export interface Arg {
  readonly name: string;
  readonly value: ArgValue;
}

export interface Directive {
  readonly name: string;
  readonly args: ReadonlyArray<Arg>;
}

export type Sel =
  | {
      readonly k: 'field';
      readonly name: string;
      readonly alias: string | null;
      readonly args: ReadonlyArray<Arg>;
      readonly dirs: ReadonlyArray<Directive>;
      /** null for a leaf (or, on purpose, a composite field left without a selection). */
      readonly sel: ReadonlyArray<Sel> | null;
    }
  | {
      readonly k: 'inline';
      readonly on: string | null;
      readonly dirs: ReadonlyArray<Directive>;
      readonly sel: ReadonlyArray<Sel>;
    }
  /** A named fragment: rendered as `...F<n>` here and `fragment F<n> on <on>` below. */
  | {
      readonly k: 'spread';
      readonly on: string;
      readonly dirs: ReadonlyArray<Directive>;
      readonly sel: ReadonlyArray<Sel>;
    };

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface Operation {
  readonly type: OperationType;
  /** Named `Op<index>`, or anonymous. */
  readonly named: boolean;
  readonly dirs: ReadonlyArray<Directive>;
  readonly sel: ReadonlyArray<Sel>;
}

/** Text damage on purpose: a parse error, or a query over the length limit. */
export type TextDamage = 'none' | 'truncate' | 'extraBrace' | 'garbage' | 'padPastLimit' | 'empty';

export type VariablesSpec =
  /** The variables the document uses, as each one's `send` says, after `extra`. */
  | { readonly mode: 'object'; readonly extra: ReadonlyArray<readonly [string, Val]> }
  /** No `variables` key at all. */
  | { readonly mode: 'absent' }
  /** `variables` is this instead of an object (a string, a list, a number). */
  | { readonly mode: 'weird'; readonly value: Val };

export type OperationNameSpec =
  | { readonly k: 'none' }
  /** The name of the operation at this index (modulo the count), named or not. */
  | { readonly k: 'op'; readonly index: number }
  | { readonly k: 'unknown' }
  | { readonly k: 'weird'; readonly value: Val };

export type PersistedQueryVariant =
  | 'right'
  | 'wrongHash'
  | 'unknownVersion'
  | 'numericHash'
  | 'hashOnly'
  | 'versionString';

export type ExtensionsSpec =
  | { readonly k: 'none' }
  | { readonly k: 'persistedQuery'; readonly variant: PersistedQueryVariant }
  /** `__proto__`, `constructor` or `prototype` keys. */
  | { readonly k: 'pollute'; readonly key: string }
  | { readonly k: 'weird'; readonly value: Val };

/** A GraphQL request generated from the schema. */
export interface GraphqlCase {
  readonly family: 'graphql';
  /**
   * false: the document passes validation (repeated response keys are renamed when
   * rendering); true: it may hold a careless client's mistakes.
   */
  readonly careless: boolean;
  readonly ops: ReadonlyArray<Operation>;
  readonly variables: VariablesSpec;
  readonly operationName: OperationNameSpec;
  readonly extensions: ExtensionsSpec;
  readonly damage: TextDamage;
  /** GET with the query in the URL (`preflight`: with `apollo-require-preflight`). */
  readonly transport: 'post' | 'get' | 'get-no-preflight';
}

/** An HTTP request written by hand: bodies and headers no GraphQL client would send. */
export interface RawCase {
  readonly family: 'raw';
  /** What it tries, for the histogram of families and the report. */
  readonly variant: string;
  readonly method: string;
  /** Path and query string. */
  readonly target: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | null;
  /** The GraphQL operation the body carries, if any, so that a write it makes is counted. */
  readonly graphql: { readonly query: string; readonly variables?: unknown } | null;
}

/** One step of a read-your-writes request: a rating or a removal by the same new user. */
export interface RywStep {
  readonly kind: 'rate' | 'remove';
  /** Index into the movies of the pool (modulo its size). */
  readonly movie: number;
  /** Half stars: 1 is 0.5, 10 is 5. */
  readonly halfStars: number;
}

/**
 * Several mutations of one user that nobody else touches (a fresh id per request), each
 * payload asking for the user's count and mean, so each answer can be checked against the
 * state right after its own step.
 */
export interface RywCase {
  readonly family: 'ryw';
  readonly steps: ReadonlyArray<RywStep>;
  /** Read the user's statistics through variables or with the ids inline. */
  readonly viaVariables: boolean;
}

export type FuzzCase = GraphqlCase | RawCase | RywCase;

/** A request ready for `fetch`, with what it means as GraphQL (for intents and reports). */
export interface HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  /**
   * The operation as the server would run it: the document text (also when the request
   * leaves it out, as a hash-only persisted query does), variables and operation name.
   */
  readonly graphql: {
    readonly query: string;
    readonly variables: unknown;
    readonly operationName: unknown;
  } | null;
  /** The operation type that runs (the selected one), for the histogram. */
  readonly operationType: OperationType | null;
}
