package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// pathParam matches a path parameter: names may differ between the documents.
var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// operations lists an OpenAPI document's operations as "METHOD /path/{}".
func operations(t *testing.T, paths map[string]map[string]any) []string {
	t.Helper()
	var ops []string
	for p, item := range paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				ops = append(ops, strings.ToUpper(method)+" "+pathParam.ReplaceAllString(p, "{}"))
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// TestReferenceOperationsDeclared is issue 13's coverage acceptance: every one of
// the reference's 90 operations is declared in our OpenAPI document.
func TestReferenceOperationsDeclared(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "warest-openapi-1.3.42.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	want := operations(t, ref.Paths)
	if len(want) != 90 {
		t.Fatalf("the reference has %d operations, want 90", len(want))
	}

	a := newApp(t)
	r := a.do(t, http.MethodGet, "/docs/openapi.json", a.adminKey, nil)
	if r.code != http.StatusOK {
		t.Fatalf("our OpenAPI: HTTP %d", r.code)
	}
	var ours struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &ours); err != nil {
		t.Fatal(err)
	}
	declared := operations(t, ours.Paths)

	var missing []string
	for _, op := range want {
		if !slices.Contains(declared, op) {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d reference operations are not declared in our OpenAPI:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	t.Logf("%d of %d reference operations declared", len(want)-len(missing), len(want))
}
