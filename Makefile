# WAREST: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
SQLC      := $(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
BIN       := bin/warest
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PKGS      := ./...

.PHONY: run build image test test-short bench generate verify lint lint-api migrate-up

run: ## Run the gateway: SQLite under ./data, port 7308
	$(GO) run ./cmd/warest

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/warest

image: ## Build the container image warest:$(VERSION) (needs a Docker daemon)
	docker build -f docker/Dockerfile --build-arg VERSION=$(VERSION) -t warest:$(VERSION) .

test: ## Every test, with the race detector
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-short:
	$(GO) test -count=1 $(PKGS)

BENCH_OUT ?= artifacts/bench/send-$(shell date -u +%Y%m%dT%H%M%SZ).txt

bench: ## Benchmarks (print, never gate): send acceptance on SQLite, PostgreSQL and MySQL against the ideal server, the group commit alone on send-shaped calls, two nodes' memory and takeover time with 1,000 sessions each, webhook delivery at 1k/3k/5k events/s; benchstat lines under artifacts/bench
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkWebhookDelivery$$' -benchmem -count=1 $(PKGS)
	mkdir -p $(dir $(BENCH_OUT))
	$(GO) test -run '^$$' -bench '^BenchmarkWebhookDelivery$$' -benchtime=1x -count=1 -timeout 30m ./application/worker/ | tee artifacts/bench/webhooks.txt
	WAREST_BENCH=1 WAREST_BENCH_OUT=$(abspath $(BENCH_OUT)) $(GO) test -count=1 -timeout 30m -run '^TestBench(Send|Takeover)' -v ./test/e2e/ | grep -E 'BENCH|SKIP|FAIL|ok'
	@echo "benchstat lines: $(BENCH_OUT) and artifacts/bench/webhooks.txt (compare two runs: benchstat old.txt new.txt)"

generate: ## Regenerate sqlc code
	$(SQLC) generate -f sql/sqlc.yaml

verify: generate ## Fail when generated code or go.mod is stale
	$(GO) mod tidy
	git diff --exit-code -- adapters/store/sqlite/internal adapters/store/postgres/internal adapters/store/mysql/internal adapters/whatsmeow/mysqlstore/internal go.mod go.sum
	@test -z "$$(git status --porcelain -- adapters/store/sqlite/internal adapters/store/postgres/internal adapters/store/mysql/internal adapters/whatsmeow/mysqlstore/internal)" || { echo "untracked generated files"; exit 1; }

lint: ## go vet, gofmt and the dependency rule (golangci-lint with depguard when installed)
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -count=1 ./test/arch/
	@if command -v golangci-lint >/dev/null; then golangci-lint run; else echo "golangci-lint not installed: skipped (the arch test enforces layering)"; fi

lint-api: ## Lint the served OpenAPI document with Redocly and Spectral (spectral:oas): 0 errors; needs node and npm
	cd test/apilint && npm ci --no-audit --no-fund --loglevel=error
	WAREST_OPENAPI_OUT=$(CURDIR)/test/apilint/openapi.json $(GO) test -count=1 -run '^TestOpenAPIDocument$$' ./adapters/httpapi/
	cd test/apilint && REDOCLY_TELEMETRY=off npx --no-install redocly lint --format=stylish openapi.json
	cd test/apilint && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity error openapi.json

migrate-up: ## Apply migrations to the configured database and exit
	$(GO) run ./cmd/warest migrate up
