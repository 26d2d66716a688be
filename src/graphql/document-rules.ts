import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { type DocumentNode, GraphQLError, type ValidationRule } from 'graphql';

/**
 * The schema defines no Subscription type and the service speaks plain HTTP, so a
 * subscription operation is refused at validation with a message that says so (graphql-js
 * would only fail it at execution, as an internal error).
 */
export const noSubscriptions: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    context.reportError(
      new GraphQLError(
        'subscriptions are not supported: this service answers queries and mutations over HTTP POST (or GET for queries)',
        { nodes: node },
      ),
    );
  },
});

/** What parsed documents may hold in memory, query texts included. */
export const DOCUMENT_CACHE_BYTES = 30 * 2 ** 20;
/** Longer query texts are parsed every time rather than cached. */
export const MAX_CACHED_QUERY_CHARS = 4096;

/**
 * Apollo's parsed-document cache, bounded by what its entries really hold. Apollo's own
 * measures an entry by the JSON of its syntax tree, which leaves out the query text the
 * tree keeps (`loc.source.body`) and its tokens, so distinct documents padded with a long
 * comment filled memory with texts the bound never counted (60,000 of 9.8 kB: 1.5 GB).
 * Here each entry counts its text too, and a text longer than any real client sends
 * (the web page's longest is under 1 kB) is not cached at all: it costs a parse, not
 * memory.
 */
export function documentCache(
  maxBytes = DOCUMENT_CACHE_BYTES,
  maxChars = MAX_CACHED_QUERY_CHARS,
): KeyValueCache<DocumentNode> {
  const lru = new InMemoryLRUCache<DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (doc) => {
      const text = doc.loc?.source.body.length ?? 0;
      // the tree's JSON (Apollo's measure) plus the text, in UTF-16 code units
      return JSON.stringify(doc).length + 2 * text;
    },
  });
  return {
    get: (key) => lru.get(key),
    set: async (key, doc, options) => {
      if ((doc.loc?.source.body.length ?? 0) <= maxChars) await lru.set(key, doc, options);
    },
    delete: (key) => lru.delete(key),
  };
}
