/**
 * One vocabulary: every algorithm of the engine's registry is named once in each outer
 * layer, the evaluation (CLI names kept for docs and scripts) and GraphQL (the schema's
 * Strategy enum, a contract), and each name leads back to the same algorithm.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { algorithmNames } from '../../src/engine/algorithms.ts';
import { algorithmOfEvalName, algorithms, evalNameOf } from '../../src/eval/evaluate.ts';
import { algorithmOfStrategy, strategyOf } from '../../src/graphql/strategies.ts';

const SCHEMA = new URL('../../schema.graphql', import.meta.url);

describe('algorithm names', () => {
  it('given every registered algorithm, when named for the evaluation and looked up again, then it is the same algorithm', () => {
    expect(Object.keys(evalNameOf).sort()).toEqual([...algorithmNames].sort());
    for (const name of algorithmNames) expect(algorithmOfEvalName(evalNameOf[name])).toBe(name);
    expect(new Set(Object.values(evalNameOf)).size).toBe(algorithmNames.length);
  });

  it('given the evaluation names, when listed, then they are the registry order', () => {
    expect(algorithms).toEqual(algorithmNames.map((name) => evalNameOf[name]));
  });

  it('given every registered algorithm, when named for GraphQL and looked up again, then it is the same algorithm or deliberately not offered', () => {
    expect(Object.keys(strategyOf).sort()).toEqual([...algorithmNames].sort());
    for (const name of algorithmNames) {
      const strategy = strategyOf[name];
      if (strategy !== null) expect(algorithmOfStrategy(strategy)).toBe(name);
    }
    const offered = Object.values(strategyOf).filter((s) => s !== null);
    expect(new Set(offered).size).toBe(offered.length);
  });

  it('given schema.graphql, when its Strategy enum is read, then its values are exactly the offered algorithms', () => {
    const schema = buildSchema(readFileSync(SCHEMA, 'utf8'));
    const strategy = schema.getType('Strategy');
    expect(strategy).toBeInstanceOf(GraphQLEnumType);
    const values = (strategy as GraphQLEnumType).getValues().map((v) => v.name);
    const offered = algorithmNames.flatMap((name) => strategyOf[name] ?? []);
    expect([...values].sort()).toEqual([...offered].sort());
  });
});
