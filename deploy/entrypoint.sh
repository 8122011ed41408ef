#!/bin/sh
# One image, both services: the first argument says which (and the CLIs, for keys and users).
set -eu
app=$(dirname "$0")
case "${1:-}" in
  issuer) shift; exec node "$app/issuer/dist/main.js" "$@" ;;
  matchmaker) shift; exec node "$app/matchmaker/dist/main.js" "$@" ;;
  issuer-cli) shift; exec node "$app/issuer/dist/cli.js" "$@" ;;
  matchmaker-cli) shift; exec node "$app/matchmaker/dist/cli.js" "$@" ;;
  *)
    echo "usage: issuer | matchmaker | issuer-cli <command> | matchmaker-cli <command>" >&2
    exit 2
    ;;
esac
