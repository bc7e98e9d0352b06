package arch

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The size rule keeps the application's types small (issue 10): no type declared in
// application/ (non-test files) has more than maxMethods methods or more than maxDeps
// dependency fields.
//
// Methods are those declared on the type (pointer and value receivers, exported or
// not) or, for an interface, listed in it; promoted methods of embedded fields are
// not counted (the embedded type is checked on its own when declared in application/).
//
// A field is a dependency when its type is
//   - an interface (declared anywhere: ports.Store, context.Context, a local one),
//   - a func (a literal func type or a named one: a hook that is called),
//   - a pointer to a struct declared in another package (*notify.Hub, *webhook.Breaker),
//   - a slice, array or map of any of these.
//
// Config and value structs, plain data (strings, durations, ids), mutexes and maps of
// data, and values or pointers of structs declared in the same package (a type's own
// parts, each checked on its own) are not dependencies. Nor is a *slog.Logger: every
// type may report what it does, a logger is not a collaborator it is built around.
// Each name of a field counts.
//
// A struct without methods whose fields are all exported (Deps, Workers) is a list
// of parameters or results handed from one place to another, not a type that uses
// what it holds: its dependencies are not counted (its methods, none, are).
const (
	maxMethods = 8
	maxDeps    = 5
)

// typeSize is what the rule measures of one type.
type typeSize struct {
	pkg, name string
	methods   int
	deps      []string
}

func TestApplicationTypesStaySmall(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	sizes := measure(t, root, "application")
	if len(sizes) < 20 {
		t.Fatalf("measured only %d types under application/; wrong root?", len(sizes))
	}
	for _, s := range sizes {
		if s.methods > maxMethods {
			t.Errorf("%s.%s has %d methods (at most %d): split it", s.pkg, s.name, s.methods, maxMethods)
		}
		if len(s.deps) > maxDeps {
			t.Errorf("%s.%s has %d dependencies (at most %d): %s", s.pkg, s.name, len(s.deps), maxDeps, strings.Join(s.deps, ", "))
		}
	}
}

// TestSizeRuleCountsWhatItSays measures a package written for the test, so the rule
// is seen to catch what it claims and to leave alone what it exempts.
func TestSizeRuleCountsWhatItSays(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module "+module+"\n")
	write("ports/ports.go", `package ports
type Store interface{ Get() }
type Hook func()
type Config struct{ N int }
`)
	write("application/big/big.go", `package big

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/ports"
)

type part struct{ store ports.Store }

type Big struct {
	store, other ports.Store
	ctx          context.Context
	log          *slog.Logger // not counted
	hook         ports.Hook
	wait         func()
	hooks        []func()
	local        interface{ Do() }

	cfg   ports.Config
	p     part
	pp    *part
	mu    sync.Mutex
	every time.Duration
	names map[string]string
}

func (b *Big) m1() {}
func (b *Big) m2() {}
func (b Big) m3()  {}
`)
	write("application/big/big_more.go", `package big

import "github.com/warest-go/warest/ports"

func (b *Big) M4() {}
func (b *Big) M5() {}
func (b *Big) M6() {}
func (b *Big) M7() {}
func (b *Big) M8() {}
func (b *Big) M9() {}

type Wide interface{ A(); B(); C(); D(); E(); F(); G(); H(); I() }

type Small struct{ a, b, c ports.Store }

// Params is handed on, not used: not measured for dependencies.
type Params struct{ A, B, C, D, E, F ports.Store }

// Mixed has an unexported field: measured.
type Mixed struct{ A, B, C, D, E ports.Store; f func() }
`)
	write("application/big/big_test.go", `package big

func (b *Big) T1() {}
`)
	got := map[string]typeSize{}
	for _, s := range measure(t, root, "application") {
		got[s.name] = s
	}
	want := map[string]struct{ methods, deps int }{
		"Big":    {9, 7}, // store, other, ctx, hook, wait, hooks, local
		"Wide":   {9, 0},
		"Small":  {0, 3},
		"part":   {0, 1},
		"Params": {0, 0},
		"Mixed":  {0, 6},
	}
	for name, w := range want {
		s, ok := got[name]
		if !ok {
			t.Errorf("%s was not measured", name)
			continue
		}
		if s.methods != w.methods || len(s.deps) != w.deps {
			t.Errorf("%s: %d methods, deps %v; want %d methods, %d deps", name, s.methods, s.deps, w.methods, w.deps)
		}
	}
}

// measure sizes every type declared in the non-test files under dir (relative to the
// module root).
func measure(t *testing.T, root, dir string) []typeSize {
	t.Helper()
	r := &resolver{root: root, pkgs: map[string]*pkgTypes{}}
	var out []typeSize
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		p := r.load(module+"/"+filepath.ToSlash(rel), path)
		for _, name := range p.order {
			spec := p.types[name]
			s := typeSize{pkg: filepath.ToSlash(rel), name: name, methods: p.methods[name]}
			switch tt := spec.typ.(type) {
			case *ast.InterfaceType:
				s.methods = len(tt.Methods.List)
			case *ast.StructType:
				if s.methods == 0 && allExported(tt) {
					break // a parameter list
				}
				for _, f := range tt.Fields.List {
					if why := r.dependency(p, spec.imports, f.Type); why != "" {
						n := max(len(f.Names), 1)
						for range n {
							s.deps = append(s.deps, why)
						}
					}
				}
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pkgTypes are the type declarations and method counts of one package's non-test files.
type pkgTypes struct {
	path    string
	types   map[string]typeSpec
	order   []string
	methods map[string]int
}

type typeSpec struct {
	typ     ast.Expr
	imports map[string]string // name in the declaring file -> import path
}

// resolver loads packages on demand: the module's from its tree, others (the
// standard library, modules) from where go/build finds them.
type resolver struct {
	root string
	pkgs map[string]*pkgTypes
}

func (r *resolver) load(path, dir string) *pkgTypes {
	if p, ok := r.pkgs[path]; ok {
		return p
	}
	p := &pkgTypes{path: path, types: map[string]typeSpec{}, methods: map[string]int{}}
	r.pkgs[path] = p
	if dir == "" {
		if rel, ok := strings.CutPrefix(path, module+"/"); ok {
			dir = filepath.Join(r.root, filepath.FromSlash(rel))
		} else if bp, err := build.Default.Import(path, r.root, build.FindOnly); err == nil {
			dir = bp.Dir
		}
	}
	entries, _ := os.ReadDir(dir)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		imports := importNames(f)
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						if _, seen := p.types[ts.Name.Name]; !seen {
							p.order = append(p.order, ts.Name.Name)
						}
						p.types[ts.Name.Name] = typeSpec{typ: ts.Type, imports: imports}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					p.methods[receiverName(d.Recv.List[0].Type)]++
				}
			}
		}
	}
	sort.Strings(p.order)
	return p
}

func importNames(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if v, ok := strings.CutPrefix(name, "v"); ok && v != "" && strings.Trim(v, "0123456789") == "" {
			// a major version suffix: the package is named by the element before it
			parts := strings.Split(path, "/")
			name = parts[len(parts)-2]
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		m[name] = path
	}
	return m
}

func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// dependency says why a field of type e (declared in p, in a file importing imports)
// is a dependency, or "" when it is not one.
func (r *resolver) dependency(p *pkgTypes, imports map[string]string, e ast.Expr) string {
	switch x := e.(type) {
	case *ast.InterfaceType:
		return "interface"
	case *ast.FuncType:
		return "func"
	case *ast.ArrayType:
		return r.dependency(p, imports, x.Elt)
	case *ast.MapType:
		return r.dependency(p, imports, x.Value)
	case *ast.IndexExpr:
		return r.dependency(p, imports, x.X)
	case *ast.IndexListExpr:
		return r.dependency(p, imports, x.X)
	case *ast.StarExpr:
		owner, name, spec, ok := r.named(p, imports, x.X)
		if ok && owner.path == "log/slog" && name == "Logger" {
			return ""
		}
		if ok && owner != p {
			if _, isStruct := r.underlying(owner, spec).(*ast.StructType); isStruct {
				return "*" + shortName(owner.path) + "." + name
			}
		}
		return ""
	}
	owner, name, spec, ok := r.named(p, imports, e)
	if !ok {
		return ""
	}
	switch r.underlying(owner, spec).(type) {
	case *ast.InterfaceType:
		return shortName(owner.path) + "." + name
	case *ast.FuncType:
		return shortName(owner.path) + "." + name + " (func)"
	}
	return ""
}

// named finds the declaration of a named type e (an identifier of p or a qualified
// identifier); ok is false for builtins and anything else.
func (r *resolver) named(p *pkgTypes, imports map[string]string, e ast.Expr) (*pkgTypes, string, typeSpec, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		spec, ok := p.types[x.Name]
		return p, x.Name, spec, ok
	case *ast.SelectorExpr:
		pkg, ok := x.X.(*ast.Ident)
		if !ok || imports[pkg.Name] == "" {
			return nil, "", typeSpec{}, false
		}
		owner := r.load(imports[pkg.Name], "")
		spec, ok := owner.types[x.Sel.Name]
		return owner, x.Sel.Name, spec, ok
	case *ast.IndexExpr:
		return r.named(p, imports, x.X)
	case *ast.IndexListExpr:
		return r.named(p, imports, x.X)
	}
	return nil, "", typeSpec{}, false
}

// underlying follows defined types to the type literal they are made of.
func (r *resolver) underlying(p *pkgTypes, spec typeSpec) ast.Expr {
	for range 10 { // a chain of definitions is short; this bounds a cycle
		owner, _, next, ok := r.named(p, spec.imports, spec.typ)
		if !ok {
			return spec.typ
		}
		p, spec = owner, next
	}
	return spec.typ
}

func allExported(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			return false // embedded: its promoted methods make it more than a list
		}
		for _, n := range f.Names {
			if !n.IsExported() {
				return false
			}
		}
	}
	return true
}

func shortName(path string) string { return path[strings.LastIndex(path, "/")+1:] }
