#!/bin/sh
# Regenerates the sqlc code of the three store adapters from sql/ and migrations/.
set -eu
cd "$(dirname "$0")/.."
exec go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 generate -f sql/sqlc.yaml
