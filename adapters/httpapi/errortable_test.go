package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Refusals go through the one error table (errors.go, codes.go): a handler returns
// a domain fault and the table picks the status and app code. This keeps a literal
// app code from creeping back into a handler.
func TestNoLiteralAppCodesOutsideTheErrorTable(t *testing.T) {
	t.Parallel()
	found, err := literalAppCodes(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s: literal app code in an error envelope; return a domain fault whose reason errors.go maps", f)
	}
}

// The check itself finds each shape a literal code can take.
func TestLiteralAppCodesAreFound(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package httpapi
func a() { _ = newErrorEnvelope(400, 2001, "x") }
func b() { _ = fromStatus(404, "x") }
var c = rule{400, 3010}
var d = map[string]rule{"x": {502, 4005}}
var e = preflightBody{Code: 2000}
func f() { _ = reply(503, 8001, "x", nil) }
func g() { _ = reply(http.StatusAccepted, 1107, "x", nil) }
func ok() { _ = newErrorEnvelope(status, codeInternal, labels[0]+"x") }
`
	if err := os.WriteFile(filepath.Join(dir, "h.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	found, err := literalAppCodes(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"h.go:2", "h.go:2", "h.go:3", "h.go:4", "h.go:4", "h.go:5", "h.go:5", "h.go:6", "h.go:7"}
	if strings.Join(found, " ") != strings.Join(want, " ") {
		t.Fatalf("found %v, want %v", found, want)
	}
}

// literalAppCodes lists file:line of every integer literal given as an error
// envelope's status or code, in a rule, as a Code field or as a reply's failure code, in the non-test files of dir, the table's own files aside.
func literalAppCodes(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var found []string
	fset := token.NewFileSet()
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, "_test.go") || name == "errors.go" || name == "codes.go" {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, err
		}
		report := func(nodes ...ast.Node) {
			for _, n := range nodes {
				for _, l := range intLiterals(n) {
					found = append(found, name+":"+strconv.Itoa(fset.Position(l.Pos()).Line))
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				// The status and code arguments; a message may index or format.
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "newErrorEnvelope" && len(n.Args) >= 2 {
					report(n.Args[0], n.Args[1])
				}
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "fromStatus" && len(n.Args) >= 1 {
					report(n.Args[0])
				}
				// A reply may name a success code; a failure's belongs to the table.
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "reply" && len(n.Args) >= 2 {
					for _, l := range intLiterals(n.Args[1]) {
						if code, _ := strconv.Atoi(l.Value); lookupCode(code).HTTPStatus >= 300 {
							report(l)
						}
					}
				}
			case *ast.CompositeLit:
				if isRuleType(n.Type) {
					report(n)
					return false
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
					report(n.Value)
					return false
				}
			}
			return true
		})
	}
	return found, nil
}

func isRuleType(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "rule" || e.Name == "ErrorEnvelope"
	case *ast.MapType:
		return isRuleType(e.Value)
	case *ast.ArrayType:
		return isRuleType(e.Elt)
	}
	return false
}

func intLiterals(n ast.Node) []*ast.BasicLit {
	var out []*ast.BasicLit
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IndexExpr:
			return false // labels[0] is not a code
		case *ast.BasicLit:
			if n.Kind == token.INT {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}
