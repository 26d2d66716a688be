#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The baseline of bench:serve: a bare Apollo Server 5 through `startStandaloneServer`
 * (its own Node http handler with cors and body-parser), serving the project's schema
 * with no resolvers, no plugins, no limits, no logging and no metrics. `{ __typename }`
 * against it is what Apollo and the HTTP layer alone cost on this machine. It prints the
 * same ready line as the service, so the benches start both alike.
 */
const typeDefs = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
const server = new ApolloServer({ typeDefs });
const began = performance.now();
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
const seconds = ((performance.now() - began) / 1000).toFixed(2);
process.stdout.write(`${JSON.stringify({ msg: `ready in ${seconds} s`, url, seconds })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
