# WAREST: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
SQLC      := $(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
BIN       := bin/warest
PKGS      := ./...
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: run build test test-short bench generate verify lint migrate-up

run: ## Run the gateway: SQLite under ./data, port 7308
	$(GO) run ./cmd/warest

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/warest

test: ## Every test, with the race detector
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-short:
	$(GO) test -count=1 $(PKGS)

bench: ## Benchmarks (print, never gate); send acceptance on SQLite and PostgreSQL
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)
	WAREST_BENCH=1 $(GO) test -count=1 -run '^TestBenchSend' -v ./test/e2e/ | grep -E 'BENCH|SKIP|FAIL|ok'

generate: ## Regenerate sqlc code
	$(SQLC) generate -f sql/sqlc.yaml

verify: generate ## Fail when generated code or go.mod is stale
	$(GO) mod tidy
	git diff --exit-code -- adapters/store/sqlite/internal adapters/store/postgres/internal go.mod go.sum
	@test -z "$$(git status --porcelain -- adapters/store/sqlite/internal adapters/store/postgres/internal)" || { echo "untracked generated files"; exit 1; }

lint: ## go vet, gofmt and the dependency rule (golangci-lint with depguard when installed)
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -count=1 ./test/arch/
	@if command -v golangci-lint >/dev/null; then golangci-lint run; else echo "golangci-lint not installed: skipped (the arch test enforces layering)"; fi

migrate-up: ## Apply migrations to the configured database and exit
	$(GO) run ./cmd/warest migrate up
