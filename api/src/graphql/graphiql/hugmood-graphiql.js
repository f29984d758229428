// Starts GraphiQL on the page GET /graphql serves, with a fetcher of the hub's own:
// queries and mutations are POSTed to /graphql; subscriptions go to /graphql/stream
// over Server-Sent Events (the graphql-sse protocol, distinct-connections mode), the
// hub serving no WebSocket. Both URLs are relative to the page, like its files.

(function () {
  'use strict';

  const ENDPOINT = new URL('graphql', document.baseURI).href;
  const STREAM_ENDPOINT = new URL('graphql/stream', document.baseURI).href;

  /** The placeholder of the headers editor: until it is replaced, no token is sent. */
  const TOKEN_PLACEHOLDER = 'Bearer <token>';

  const DEFAULT_HEADERS = JSON.stringify({ Authorization: TOKEN_PLACEHOLDER }, null, 2);

  const DEFAULT_QUERY = `# The HugMood GraphQL API: ▶ runs the
# operation you pick below.
#
# 1. Run Register (or LogIn), and put its
#    accessToken in the Headers tab:
#    "Authorization": "Bearer eyJ…".
#    Until then requests carry no token.
# 2. Run Me: you and the hugs you received.
# 3. Run Events: your events, live, over
#    SSE at /graphql/stream. Send yourself
#    a hug (web app, curl) to see one come.

mutation Register {
  register(input: {username: "graphiql_demo", email: "graphiql_demo@example.com", password: "correct-horse"}) {
    accessToken
    user { id username }
  }
}

mutation LogIn {
  login(input: {login: "graphiql_demo", password: "correct-horse"}) {
    accessToken
    user { id username }
  }
}

query Me {
  me { id username displayName }
  hugsReceived(limit: 5) { id senderId hugType message sentAt status }
}

subscription Events {
  events { id type data createdAt }
}
`;

  /** The headers to send: those of the editor, but the placeholder token. */
  function headersOf(opts) {
    const headers = { ...(opts && opts.headers) };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'authorization' && String(headers[name]).trim() === TOKEN_PLACEHOLDER) {
        delete headers[name];
      }
    }
    return headers;
  }

  /**
   * Whether the operation to run (by name, or the first) is a subscription. The query
   * is parsed here (with the graphql-js GraphiQL bundles): the parsed document GraphiQL
   * hands the fetcher may still be that of the editor's previous text.
   */
  function isSubscription(query, operationName) {
    let document;
    try {
      document = window.GraphiQL.GraphQL.parse(query);
    } catch {
      return false; // POST /graphql answers the syntax error
    }
    const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
    const operation = operationName
      ? operations.find((d) => d.name && d.name.value === operationName)
      : operations[0];
    return Boolean(operation) && operation.operation === 'subscription';
  }

  /** A subscription's results, as an async iterator GraphiQL reads and may stop. */
  function subscribe(params, headers) {
    const client = window.graphqlSse.createClient({
      url: STREAM_ENDPOINT,
      singleConnection: false,
      headers,
      retryAttempts: 0,
    });
    const results = client.iterate(params);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        const step = await results.next();
        if (step.done) client.dispose();
        return step;
      },
      async return() {
        client.dispose();
        return results.return ? results.return() : { done: true, value: undefined };
      },
    };
  }

  async function fetcher(params, opts) {
    const headers = headersOf(opts);
    if (isSubscription(params.query, params.operationName)) {
      return subscribe(params, headers);
    }
    const response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(params),
    });
    return response.json();
  }

  const root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: DEFAULT_HEADERS,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
