import { createHash } from 'node:crypto';
import type {
  ArgValue,
  Directive,
  ExtensionsSpec,
  GraphqlCase,
  HttpRequest,
  Operation,
  OperationType,
  Sel,
  Send,
  Val,
} from './model.ts';

/** The query length the padding goes past (the service's default `maxQueryLength`). */
export const PAD_PAST = 10_050;

/** A value as a GraphQL literal. */
export function literal(v: Val): string {
  switch (v.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.v);
    case 'int':
    case 'float':
    case 'enum':
      return v.v;
    case 'str':
      // JSON's escapes are a subset of GraphQL's, and the generator makes no lone surrogates
      return JSON.stringify(v.v);
    case 'list':
      return `[${v.items.map(literal).join(', ')}]`;
    case 'obj':
      return `{${v.fields.map(([k, x]) => `${k}: ${literal(x)}`).join(', ')}}`;
  }
}

/**
 * A value as JSON text, written by hand so that integers keep every digit and keys such
 * as `__proto__` are sent as keys (an object literal would set the prototype instead).
 * An enum (and `NaN`) travels as its name, a string, as JSON has no bare names.
 */
export function jsonText(v: Val): string {
  switch (v.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.v);
    case 'int':
    case 'float':
      return v.v;
    case 'str':
    case 'enum':
      return JSON.stringify(v.v);
    case 'list':
      return `[${v.items.map(jsonText).join(',')}]`;
    case 'obj':
      return `{${v.fields.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  }
}

interface VariableDef {
  readonly name: string;
  readonly decl: string;
  readonly dflt: Val | null;
  readonly send: Send;
}

/** Names variables and fragments in document order while printing. */
class Printer {
  private variableCount = 0;
  private fragmentCount = 0;
  readonly fragments: string[] = [];
  /** The variables of the operation being printed. */
  current: VariableDef[] = [];
  readonly all: VariableDef[] = [];

  arg(value: ArgValue): string {
    switch (value.k) {
      case 'lit':
        return literal(value.v);
      case 'list':
        return `[${value.items.map((x) => this.arg(x)).join(', ')}]`;
      case 'obj':
        return `{${value.fields.map(([k, x]) => `${k}: ${this.arg(x)}`).join(', ')}}`;
      case 'undeclared':
        return '$undeclared';
      case 'var': {
        const def = { name: `v${++this.variableCount}`, ...value };
        this.current.push(def);
        this.all.push(def);
        return `$${def.name}`;
      }
    }
  }

  args(args: ReadonlyArray<{ name: string; value: ArgValue }>): string {
    if (args.length === 0) return '';
    return `(${args.map((a) => `${a.name}: ${this.arg(a.value)}`).join(', ')})`;
  }

  dirs(dirs: ReadonlyArray<Directive>): string {
    return dirs.map((d) => ` @${d.name}${this.args(d.args)}`).join('');
  }

  constructor(private readonly uniqueKeys: boolean) {}

  /**
   * A selection set. `keys` are the response keys already used at this level (fragments
   * merge into their parent's level); with `uniqueKeys`, a repeated key gets an alias, so
   * that two uses of one field with different arguments never clash.
   */
  selections(sel: ReadonlyArray<Sel>, keys: Set<string> = new Set()): string {
    return `{ ${sel.map((s) => this.selection(s, keys)).join(' ')} }`;
  }

  selection(s: Sel, keys: Set<string>): string {
    switch (s.k) {
      case 'field': {
        let alias = s.alias;
        if (this.uniqueKeys) {
          for (let n = 2; keys.has(alias ?? s.name); n++) alias = `${s.name}_${n}`;
          keys.add(alias ?? s.name);
        }
        const head = `${alias ? `${alias}: ` : ''}${s.name}${this.args(s.args)}${this.dirs(s.dirs)}`;
        return s.sel ? `${head} ${this.selections(s.sel)}` : head;
      }
      case 'inline':
        return `...${s.on ? ` on ${s.on}` : ''}${this.dirs(s.dirs)} ${this.selections(s.sel, keys)}`;
      case 'spread': {
        const name = `F${++this.fragmentCount}`;
        // the fragment's body is printed now, so its variables belong to this operation
        this.fragments.push(`fragment ${name} on ${s.on} ${this.selections(s.sel, keys)}`);
        return `...${name}${this.dirs(s.dirs)}`;
      }
    }
  }

  operation(op: Operation, index: number, mutationAliases: boolean): string {
    this.current = [];
    // mutation root fields get distinct aliases, so several of them make a valid request
    const sel =
      op.type === 'mutation' && mutationAliases
        ? op.sel.map((s, k) => (s.k === 'field' && s.alias === null ? { ...s, alias: `m${k}` } : s))
        : op.sel;
    const body = this.selections(sel);
    const dirs = this.dirs(op.dirs);
    const defs =
      this.current.length === 0
        ? ''
        : `(${this.current.map((d) => `$${d.name}: ${d.decl}${d.dflt ? ` = ${literal(d.dflt)}` : ''}`).join(', ')})`;
    const name = op.named ? ` Op${index}` : '';
    if (op.type === 'query' && name === '' && defs === '' && dirs === '') return body;
    return `${op.type}${name}${defs}${dirs} ${body}`;
  }
}

export interface RenderedDocument {
  readonly text: string;
  /** Every variable of every operation, in order, with how it is sent. */
  readonly variables: ReadonlyArray<VariableDef>;
}

export function renderDocument(
  ops: ReadonlyArray<Operation>,
  uniqueKeys: boolean,
): RenderedDocument {
  const printer = new Printer(uniqueKeys);
  const operations = ops.map((op, k) => printer.operation(op, k, true));
  return { text: [...operations, ...printer.fragments].join('\n'), variables: printer.all };
}

function damage(text: string, how: GraphqlCase['damage']): string {
  switch (how) {
    case 'none':
      return text;
    case 'truncate':
      return text.slice(0, Math.max(1, Math.floor(text.length * 0.6)));
    case 'extraBrace':
      return `${text} }`;
    case 'garbage':
      return `%% ${text}`;
    case 'padPastLimit':
      return `${text}\n#${'x'.repeat(PAD_PAST)}`;
    case 'empty':
      return '';
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `extensions` as JSON text, or undefined when the request has none; and whether to drop the query. */
function extensionsText(
  spec: ExtensionsSpec,
  query: string,
): { text?: string; dropQuery: boolean } {
  switch (spec.k) {
    case 'none':
      return { dropQuery: false };
    case 'pollute':
      return {
        text:
          spec.key === 'constructor'
            ? '{"constructor":{"prototype":{"polluted":true}}}'
            : `{${JSON.stringify(spec.key)}:{"polluted":true}}`,
        dropQuery: false,
      };
    case 'weird':
      return { text: jsonText(spec.value), dropQuery: false };
    case 'persistedQuery': {
      const hash = sha256(query);
      const pq = (version: string, hashJson: string) =>
        `{"persistedQuery":{"version":${version},"sha256Hash":${hashJson}}}`;
      switch (spec.variant) {
        case 'right':
          return { text: pq('1', JSON.stringify(hash)), dropQuery: false };
        case 'wrongHash':
          return { text: pq('1', JSON.stringify(sha256(`not ${query}`))), dropQuery: false };
        case 'unknownVersion':
          return { text: pq('2', JSON.stringify(hash)), dropQuery: false };
        case 'numericHash':
          return { text: pq('1', '12345'), dropQuery: false };
        case 'versionString':
          return { text: pq('"1"', JSON.stringify(hash)), dropQuery: false };
        case 'hashOnly':
          return { text: pq('1', JSON.stringify(hash)), dropQuery: true };
      }
    }
  }
}

/** The operation that runs, by the rules of graphql-js's getOperationAST. */
function selectedOperation(c: GraphqlCase): Operation | null {
  const spec = c.operationName;
  if (spec.k === 'none') return c.ops.length === 1 ? c.ops[0] : null;
  if (spec.k === 'op') {
    const op = c.ops[spec.index % c.ops.length];
    return op.named || c.ops.length === 1 ? op : null;
  }
  return null;
}

function operationNameText(c: GraphqlCase): string | undefined {
  const spec = c.operationName;
  switch (spec.k) {
    case 'none':
      return undefined;
    case 'unknown':
      return '"Nope"';
    case 'weird':
      return jsonText(spec.value);
    case 'op': {
      const index = spec.index % c.ops.length;
      // an anonymous operation has no name to send
      return c.ops[index].named ? JSON.stringify(`Op${index}`) : undefined;
    }
  }
}

/** A generated GraphQL case as an HTTP request. */
export function renderGraphqlCase(c: GraphqlCase): HttpRequest {
  const doc = renderDocument(c.ops, !c.careless);
  const query = damage(doc.text, c.damage);
  let variables: string | undefined;
  if (c.variables.mode === 'object') {
    const entries = [
      ...c.variables.extra.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`),
      ...doc.variables.flatMap((d) =>
        d.send.s === 'missing'
          ? []
          : [`${JSON.stringify(d.name)}:${d.send.s === 'null' ? 'null' : jsonText(d.send.v)}`],
      ),
    ];
    variables = `{${entries.join(',')}}`;
  } else if (c.variables.mode === 'weird') {
    variables = jsonText(c.variables.value);
  }
  const operationName = operationNameText(c);
  const extensions = extensionsText(c.extensions, query);
  const sentQuery = extensions.dropQuery ? undefined : JSON.stringify(query);
  const meta = {
    query,
    variables: variables === undefined ? undefined : JSON.parse(variables),
    operationName: operationName === undefined ? undefined : JSON.parse(operationName),
  };
  const operationType: OperationType | null = selectedOperation(c)?.type ?? null;
  if (c.transport !== 'post') {
    const params = new URLSearchParams();
    if (sentQuery !== undefined) params.set('query', query);
    if (variables !== undefined) params.set('variables', variables);
    if (operationName !== undefined) params.set('operationName', String(meta.operationName));
    if (extensions.text !== undefined) params.set('extensions', extensions.text);
    return {
      method: 'GET',
      target: `/graphql?${params.toString()}`,
      headers: {
        accept: 'application/json',
        ...(c.transport === 'get' ? { 'apollo-require-preflight': 'true' } : {}),
      },
      body: null,
      graphql: meta,
      operationType,
    };
  }
  const fields = [
    ...(sentQuery === undefined ? [] : [`"query":${sentQuery}`]),
    ...(variables === undefined ? [] : [`"variables":${variables}`]),
    ...(operationName === undefined ? [] : [`"operationName":${operationName}`]),
    ...(extensions.text === undefined ? [] : [`"extensions":${extensions.text}`]),
  ];
  return {
    method: 'POST',
    target: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: `{${fields.join(',')}}`,
    graphql: meta,
    operationType,
  };
}
