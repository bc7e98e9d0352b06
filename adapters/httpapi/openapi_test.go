package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// TestOpenAPIDocument checks what API reference renderers and linters rely on: every
// operation is described and tagged with a declared tag, says how it is
// authenticated, documents its success bodies, and names the file field of a
// multipart body. With WAREST_OPENAPI_OUT set it also writes the served document
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
				RequestBody *struct {
					Content map[string]struct{ Schema bodySchema } `json:"content"`
				} `json:"requestBody"`
				Responses map[string]struct {
					Content map[string]json.RawMessage `json:"content"`
				} `json:"responses"`
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
			for status, res := range op.Responses {
				if status[0] == '2' && len(res.Content) == 0 {
					t.Errorf("%s %s: response %s has no schema", method, path, status)
				}
			}
			// A renderer offers a file picker only for a binary field.
			if op.RequestBody != nil {
				if mp, ok := op.RequestBody.Content["multipart/form-data"]; ok && !mp.Schema.hasFile() {
					t.Errorf("%s %s: multipart body has no file field", method, path)
				}
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

type bodySchema struct {
	Format     string                `json:"format"`
	Items      *bodySchema           `json:"items"`
	Properties map[string]bodySchema `json:"properties"`
}

func (b bodySchema) hasFile() bool {
	for _, p := range b.Properties {
		if p.Format == "binary" || (p.Items != nil && p.Items.Format == "binary") {
			return true
		}
	}
	return false
}

func derefSecurity(s *[]map[string][]string) []map[string][]string {
	if s == nil {
		return nil
	}
	return *s
}
