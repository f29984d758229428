#!/usr/bin/env bash
# Refreshes the pinned copy of GraphiQL and what it runs on, which the hub serves from
# its binary at GET /graphql (see api/src/graphql/graphiql/README.md): the browser
# builds of the npm packages below, at the versions below, fetched with `npm pack`
# from the npm registry npm is configured with, checked against the integrity the
# registry publishes, and copied with their licences into
# api/src/graphql/graphiql/vendor/.
#
#   scripts/vendor-graphiql.sh        # after changing a version below
#
# Needs Node.js with npm. Review the diff (and run the GraphiQL tests: cargo test
# --test graphiql, scripts/web-e2e.sh --test-name-pattern=GraphiQL) before committing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# graphiql 4 is the last major with a browser (UMD) build; it runs on React 18, the
# last React with one. graphql-sse's browser build is its client for the
# subscriptions at POST /graphql/stream.
GRAPHIQL=graphiql@4.1.2
REACT=react@18.3.1
REACT_DOM=react-dom@18.3.1
GRAPHQL_SSE=graphql-sse@2.6.1

DEST=api/src/graphql/graphiql/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Unpacks `spec` into $work/<name>/ after `npm pack` has checked its integrity.
unpack() {
    local spec=$1 name=${1%@*} tarball
    tarball=$(cd "$work" && npm pack --silent "$spec" | tail -n 1)
    mkdir -p "$work/$name"
    tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
    printf '%s %s\n' "$spec" "$(npm view "$spec" dist.integrity)" >>"$work/SOURCES"
}

for spec in "$GRAPHIQL" "$REACT" "$REACT_DOM" "$GRAPHQL_SSE"; do
    unpack "$spec"
done

rm -rf "$DEST"
mkdir -p "$DEST/licenses"
cp "$work/react/umd/react.production.min.js" "$DEST/"
cp "$work/react-dom/umd/react-dom.production.min.js" "$DEST/"
cp "$work/graphiql/graphiql.min.js" "$work/graphiql/graphiql.min.css" "$DEST/"
cp "$work/graphql-sse/umd/graphql-sse.min.js" "$DEST/"
cp "$work/react/LICENSE" "$DEST/licenses/react.LICENSE"
cp "$work/react-dom/LICENSE" "$DEST/licenses/react-dom.LICENSE"
cp "$work/graphiql/LICENSE" "$DEST/licenses/graphiql.LICENSE"
cp "$work/graphql-sse/LICENSE.md" "$DEST/licenses/graphql-sse.LICENSE"
cp "$work/SOURCES" "$DEST/SOURCES"
(cd "$DEST" && sha256sum -- *.js *.css >>SOURCES)
echo "vendored into $DEST:" >&2
cat "$DEST/SOURCES" >&2
