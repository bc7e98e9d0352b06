package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// TestOpenAPIDocument checks what API reference renderers and linters rely on: every
// operation is described and tagged with a declared tag, and says how it is
// authenticated. With WAREST_OPENAPI_OUT set it also writes the served document
// there, for `make lint-api` (Redocly and Spectral).
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.do(t, http.MethodGet, "/docs/openapi.json", a.adminKey, nil)
	if r.code != http.StatusOK {
		t.Fatalf("spec: %d", r.code)
	}
	var spec struct {
		Tags []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"tags"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &spec); err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, tag := range spec.Tags {
		if tag.Description == "" {
			t.Errorf("tag %q has no description", tag.Name)
		}
		declared[tag.Name] = true
	}
	for path, item := range spec.Paths {
		for method, raw := range item {
			var op struct {
				Description string                 `json:"description"`
				Tags        []string               `json:"tags"`
				Security    *[]map[string][]string `json:"security"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if op.Description == "" {
				t.Errorf("%s %s has no description", method, path)
			}
			if len(op.Tags) != 1 || !declared[op.Tags[0]] {
				t.Errorf("%s %s: tags %v are not one declared tag", method, path, op.Tags)
			}
			if op.Security == nil {
				t.Errorf("%s %s does not say how it is authenticated", method, path)
			}
			for _, req := range derefSecurity(op.Security) {
				for name := range req {
					if spec.Components.SecuritySchemes[name] == nil {
						t.Errorf("%s %s uses undeclared security scheme %q", method, path, name)
					}
				}
			}
		}
	}
	if out := os.Getenv("WAREST_OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, r.body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func derefSecurity(s *[]map[string][]string) []map[string][]string {
	if s == nil {
		return nil
	}
	return *s
}
