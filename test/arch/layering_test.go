// Package arch enforces the dependency rule of ARCHITECTURE.md on the source tree.
package arch

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/warest-go/warest"

// sdks are imports that belong to one adapter (or cmd) only.
var sdks = map[string][]string{
	"go.mau.fi/whatsmeow":                {"adapters/whatsmeow", "test/waserver"},         // waserver: the protocol test server speaks its wire format
	"github.com/jackc/pgx":               {"adapters/store", "adapters/bus", "test/"},     // store: tests over both dialects; bus: watermill-sql's pool
	"modernc.org/sqlite":                 {"adapters/store", "test/e2e", "test/waserver"}, // e2e: another process locking the gateway's file; waserver: the client's device store
	"github.com/danielgtaylor/huma":      {"adapters/httpapi"},
	"github.com/go-chi/chi":              {"adapters/httpapi"},
	"github.com/ThreeDotsLabs/watermill": {"adapters/bus"}, // watermill-sql too
	"github.com/pressly/goose":           {"adapters/store"},
	"github.com/skip2/go-qrcode":         {"adapters/qr"},
	"github.com/prometheus":              {"adapters/metrics"},
	"github.com/minio/minio-go":          {"adapters/storage"},
	"github.com/spf13/cobra":             {"cmd/warest"},
	"go.opentelemetry.io":                {"adapters/tracing"},
	"github.com/shirou/gopsutil":         {"adapters/hoststats"},
	"github.com/nyaruka/phonenumbers":    {"adapters/phonenumber"},
}

// pureAllowed are the only third-party imports of domain, ports and application.
var pureAllowed = []string{"github.com/oklog/ulid", "github.com/google/uuid"}

// testAllowed are the third-party packages their tests may use besides: an
// independent verifier of Standard Webhooks signatures.
var testAllowed = []string{"github.com/standard-webhooks/standard-webhooks/libraries"}

type file struct {
	dir     string // relative to the repo root, slash-separated
	name    string
	test    bool
	imports []string
}

func sources(t *testing.T) []file {
	t.Helper()
	root := repoRoot(t)
	var out []file
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "data") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		sf := file{dir: filepath.ToSlash(rel), name: d.Name(), test: strings.HasSuffix(path, "_test.go")}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			sf.imports = append(sf.imports, p)
		}
		out = append(out, sf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("found only %d Go files under %s; wrong root?", len(out), root)
	}
	return out
}

func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

func within(dir, prefix string) bool {
	return dir == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(dir, strings.TrimSuffix(prefix, "/")+"/")
}

func layer(dir string) string {
	for _, l := range []string{"domain", "ports", "application", "adapters", "cmd", "test"} {
		if within(dir, l) {
			return l
		}
	}
	return ""
}

func isStd(p string) bool { return !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") }

// violation returns why importing imp from f breaks the rule, or "".
func violation(f file, imp string) string {
	own := strings.HasPrefix(imp, module+"/")
	rel := strings.TrimPrefix(imp, module+"/")
	l := layer(f.dir)
	if f.test && (l == "domain" || l == "ports" || l == "application") {
		// Their tests follow the layer's rule too, but may use the shared test packages
		// (test/appworld is where use-case tests get the store and the sandbox)
		// and the test-only third-party packages.
		if own && within(rel, "test") || !own && hasPrefixAny(imp, testAllowed) {
			return ""
		}
	}
	switch l {
	case "domain":
		if own && !within(rel, "domain") {
			return "domain may import only domain"
		}
		if !own && !isStd(imp) && !hasPrefixAny(imp, pureAllowed) {
			return "domain may not import third-party packages"
		}
	case "ports":
		if own && !within(rel, "domain") {
			return "ports may import only domain"
		}
		if !own && !isStd(imp) && !hasPrefixAny(imp, pureAllowed) {
			return "ports may not import third-party packages"
		}
	case "application":
		if own && !(within(rel, "domain") || within(rel, "ports") || within(rel, "application")) {
			return "application may import only domain, ports and application"
		}
		if !own && !isStd(imp) && !hasPrefixAny(imp, pureAllowed) {
			return "application may not import third-party packages"
		}
	case "adapters":
		if own && within(rel, "adapters") && !f.test {
			if adapterOf(f.dir) != adapterOf(rel) {
				return "an adapter may not import another adapter"
			}
		}
	}
	if strings.HasPrefix(imp, "go.uber.org/fx") && !f.test && f.name != "module.go" && layer(f.dir) != "cmd" {
		return "fx belongs in module.go files and cmd only"
	}
	for sdk, owners := range sdks {
		if strings.HasPrefix(imp, sdk) && !hasDirPrefix(f.dir, owners) {
			return sdk + " belongs to " + strings.Join(owners, ", ")
		}
	}
	return ""
}

// adapterOf names the adapter a path under adapters/ belongs to (its dialects,
// e.g. adapters/store/sqlite, belong to the store adapter).
func adapterOf(dir string) string {
	return strings.SplitN(strings.TrimPrefix(dir, "adapters/"), "/", 2)[0]
}

func hasPrefixAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func hasDirPrefix(dir string, owners []string) bool {
	for _, o := range owners {
		if within(dir, o) || (strings.HasSuffix(o, "/") && strings.HasPrefix(dir, o)) {
			return true
		}
	}
	return false
}

func TestSourcesFollowTheDependencyRule(t *testing.T) {
	t.Parallel()
	for _, f := range sources(t) {
		for _, imp := range f.imports {
			if why := violation(f, imp); why != "" {
				t.Errorf("%s/%s imports %s: %s", f.dir, f.name, imp, why)
			}
		}
	}
}

func TestRuleCatchesViolations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f   file
		imp string
	}{
		{file{dir: "domain/session", name: "x.go"}, module + "/ports"},
		{file{dir: "domain/session", name: "x.go"}, "github.com/go-chi/chi/v5"},
		{file{dir: "ports", name: "x.go"}, module + "/application/command"},
		{file{dir: "application/command", name: "x.go"}, module + "/adapters/store/sqlite"},
		{file{dir: "application/worker", name: "x_test.go", test: true}, module + "/adapters/store/sqlite"},
		{file{dir: "domain/session", name: "x_test.go", test: true}, module + "/adapters/sandbox"},
		{file{dir: "application/command", name: "x.go"}, "go.mau.fi/whatsmeow/types"},
		{file{dir: "adapters/httpapi", name: "x.go"}, module + "/adapters/store/sqlite"},
		{file{dir: "adapters/httpapi", name: "routes.go"}, "go.uber.org/fx"},
		{file{dir: "adapters/sandbox", name: "x.go"}, "go.mau.fi/whatsmeow"},
		{file{dir: "adapters/store", name: "x.go"}, module + "/adapters/secretbox"},
	}
	for _, c := range cases {
		if violation(c.f, c.imp) == "" {
			t.Errorf("%s/%s importing %s should be a violation", c.f.dir, c.f.name, c.imp)
		}
	}
	ok := []struct {
		f   file
		imp string
	}{
		{file{dir: "domain/event", name: "x.go"}, "github.com/oklog/ulid/v2"},
		{file{dir: "application/command", name: "x.go"}, module + "/ports"},
		{file{dir: "adapters/httpapi", name: "module.go"}, "go.uber.org/fx"},
		{file{dir: "application/worker", name: "x_test.go", test: true}, module + "/test/appworld"},
		{file{dir: "adapters/store/sqlite", name: "x.go"}, module + "/adapters/store/sqlite/internal/db"},
		{file{dir: "cmd/warest", name: "main.go"}, module + "/adapters/store/sqlite"},
		{file{dir: "adapters/store/postgres", name: "x.go"}, module + "/adapters/store"},
	}
	for _, c := range ok {
		if why := violation(c.f, c.imp); why != "" {
			t.Errorf("%s/%s importing %s should be allowed, got %q", c.f.dir, c.f.name, c.imp, why)
		}
	}
}
