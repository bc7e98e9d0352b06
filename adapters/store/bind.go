package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// Bind fills the func fields of dst (a pointer to a struct such as Queries) with the
// methods of the same name on src, a dialect's sqlc *Queries. Each dialect's sqlc code
// declares its own row and parameter types, which no Go interface can unify, and they
// encode differently (SQLite: unix milliseconds, sql.Null*, JSON text; PostgreSQL:
// timestamptz, pointers, int4, arrays). Bind converts between them by field name and
// type, so the repositories are written once against the shared types of this package
// and no dialect carries a second copy of them. A missing method, field or
// unconvertible type is an error when the store opens, never at the call; a field
// tagged `bind:"optional"` is a statement only some dialects have, nil in the others.
func Bind(dst, src any) error {
	_, err := bindTo(dst, reflect.ValueOf(src))
	return err
}

// receiver is where the funcs of a bound Queries find the sqlc queries they call: a
// transaction reuses a bound Queries by pointing it at its own queries, instead of
// building a func per statement again. In a group transaction, group is its context:
// statements then end with it, never with the context their caller passed (see
// detached).
type receiver struct {
	v     reflect.Value
	group context.Context
}

// detached is a statement's context in a group transaction: its caller's values
// (tracing, fences), the group's deadline and cancellation. A cancelled statement
// can end the shared transaction (SQLite rolls the whole transaction back when it
// interrupts a write; pgx closes the connection), taking its neighbours' writes along.
//
// The caller's context is taken without its cancellation (context.WithoutCancel), so
// the lookups that find a context's cancellation, which context.AfterFunc makes for
// every statement the driver watches, reach the group's: the driver then registers
// on it directly, instead of starting a goroutine per statement to wait on a context
// of a type it does not know (measured: a goroutine and two wake-ups a statement).
type detached struct {
	context.Context // values, without cancellation
	group           context.Context
}

func detach(ctx, group context.Context) detached {
	return detached{context.WithoutCancel(ctx), group}
}

func (d detached) Deadline() (time.Time, bool) { return d.group.Deadline() }
func (d detached) Done() <-chan struct{}       { return d.group.Done() }
func (d detached) Err() error                  { return d.group.Err() }

// Value is the caller's value for key, else the group's: the group's context holds
// no values of its own, only its cancellation.
func (d detached) Value(key any) any {
	if v := d.Context.Value(key); v != nil {
		return v
	}
	return d.group.Value(key)
}

func bindTo(dst any, src reflect.Value) (*receiver, error) {
	d := reflect.ValueOf(dst).Elem()
	p, err := planFor(d.Type(), src.Type())
	if err != nil {
		return nil, err
	}
	recv := &receiver{v: src}
	for _, m := range p {
		fn, m := src.Type().Method(m.method).Func, m
		d.Field(m.field).Set(reflect.MakeFunc(d.Field(m.field).Type(), func(args []reflect.Value) []reflect.Value {
			in := make([]reflect.Value, 1, len(args)+1)
			in[0] = recv.v
			if recv.group != nil { // every statement's first argument is its context
				args[0] = reflect.ValueOf(context.Context(detach(args[0].Interface().(context.Context), recv.group)))
			}
			for i, c := range m.in {
				in = append(in, c(args[i]))
			}
			out := fn.Call(in)
			for i, c := range m.out {
				out[i] = c(out[i])
			}
			return out
		}))
	}
	return recv, nil
}

type conv func(reflect.Value) reflect.Value

type boundMethod struct {
	field, method int
	in, out       []conv
}

var plans sync.Map // [2]reflect.Type -> []boundMethod

func planFor(dst, src reflect.Type) ([]boundMethod, error) {
	key := [2]reflect.Type{dst, src}
	if p, ok := plans.Load(key); ok {
		return p.([]boundMethod), nil
	}
	var p []boundMethod
	for i := range dst.NumField() {
		f := dst.Field(i)
		m, ok := src.MethodByName(f.Name)
		if !ok && f.Tag.Get("bind") == "optional" {
			continue // left nil: the repository does without it
		}
		if !ok {
			return nil, fmt.Errorf("store: %s has no method %s", src, f.Name)
		}
		ft, mt := f.Type, m.Type // mt has the receiver as its first input
		if ft.NumIn() != mt.NumIn()-1 || ft.NumOut() != mt.NumOut() {
			return nil, fmt.Errorf("store: %s.%s: signature %s does not fit %s", src, f.Name, mt, ft)
		}
		b := boundMethod{field: i, method: m.Index}
		for j := range ft.NumIn() {
			c, err := converter(ft.In(j), mt.In(j+1))
			if err != nil {
				return nil, fmt.Errorf("store: %s.%s argument %d: %w", src, f.Name, j, err)
			}
			b.in = append(b.in, c)
		}
		for j := range ft.NumOut() {
			c, err := converter(mt.Out(j), ft.Out(j))
			if err != nil {
				return nil, fmt.Errorf("store: %s.%s result %d: %w", src, f.Name, j, err)
			}
			b.out = append(b.out, c)
		}
		p = append(p, b)
	}
	plans.Store(key, p)
	return p, nil
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	nullInt64Type  = reflect.TypeFor[sql.NullInt64]()
	nullStringType = reflect.TypeFor[sql.NullString]()
	stringsType    = reflect.TypeFor[[]string]()
)

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

// holdsTime says whether a value of t may hold a time.Time, which leaves in UTC.
func holdsTime(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsTime(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return true
		}
		for i := range t.NumField() {
			if holdsTime(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// converter returns how a value of type from becomes one of type to. Times leave the
// store in UTC (pgx reads timestamptz in the local zone); SQLite keeps them as unix
// milliseconds and has no arrays, so a []string travels as a JSON array.
func converter(from, to reflect.Type) (conv, error) {
	switch {
	case from == timeType && to == timeType:
		return func(v reflect.Value) reflect.Value { return reflect.ValueOf(v.Interface().(time.Time).UTC()) }, nil
	case to.Kind() == reflect.Struct && to.NumField() == 1 && from.Kind() != reflect.Struct:
		// sqlc takes a parameter named several times in a statement in a struct (MySQL)
		c, err := converter(from, to.Field(0).Type)
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value) reflect.Value {
			s := reflect.New(to).Elem()
			s.Field(0).Set(c(v))
			return s
		}, nil
	case from == to && !holdsTime(from): // payloads, string lists: passed as they are
		return func(v reflect.Value) reflect.Value { return v }, nil
	case to.Kind() == reflect.Interface && from.AssignableTo(to): // a parameter sqlc could not type (MySQL)
		return func(v reflect.Value) reflect.Value { return v.Convert(to) }, nil
	case from == timeType && isInt(to):
		return func(v reflect.Value) reflect.Value {
			return reflect.ValueOf(v.Interface().(time.Time).UnixMilli()).Convert(to)
		}, nil
	case isInt(from) && to == timeType:
		return func(v reflect.Value) reflect.Value { return reflect.ValueOf(time.UnixMilli(v.Int()).UTC()) }, nil
	case isInt(from) && isInt(to),
		from.Kind() == reflect.String && to == reflect.TypeFor[[]byte](),
		from == reflect.TypeFor[[]byte]() && to.Kind() == reflect.String:
		return func(v reflect.Value) reflect.Value { return v.Convert(to) }, nil
	case from == stringsType && to.Kind() == reflect.String:
		return func(v reflect.Value) reflect.Value {
			b, _ := json.Marshal(v.Interface()) // a []string always encodes
			return reflect.ValueOf(string(b)).Convert(to)
		}, nil
	case to == nullInt64Type || to == nullStringType:
		return toNull(from, to)
	case (from == nullInt64Type || from == nullStringType) && to.Kind() == reflect.Pointer:
		return fromNull(from, to)
	case from.Kind() == reflect.Pointer && to.Kind() == reflect.Pointer:
		c, err := converter(from.Elem(), to.Elem())
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value) reflect.Value {
			if v.IsNil() {
				return reflect.Zero(to)
			}
			p := reflect.New(to.Elem())
			p.Elem().Set(c(v.Elem()))
			return p
		}, nil
	case to.Kind() == reflect.Pointer: // a value where the statement also takes NULL
		c, err := converter(from, to.Elem())
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value) reflect.Value {
			p := reflect.New(to.Elem())
			p.Elem().Set(c(v))
			return p
		}, nil
	case from.Kind() == reflect.Slice && to.Kind() == reflect.Slice:
		c, err := converter(from.Elem(), to.Elem())
		if err != nil {
			return nil, err
		}
		return func(v reflect.Value) reflect.Value {
			if v.IsNil() {
				return reflect.Zero(to)
			}
			out := reflect.MakeSlice(to, v.Len(), v.Len())
			for i := range v.Len() {
				out.Index(i).Set(c(v.Index(i)))
			}
			return out
		}, nil
	case from.Kind() == reflect.Struct && to.Kind() == reflect.Struct:
		return structConverter(from, to)
	}
	return nil, fmt.Errorf("no conversion from %s to %s", from, to)
}

// structConverter fills every field of to from the field of the same name in from;
// fields only from has are left behind.
func structConverter(from, to reflect.Type) (conv, error) {
	type field struct {
		from []int
		to   int
		c    conv
	}
	var fields []field
	for i := range to.NumField() {
		tf := to.Field(i)
		ff, ok := from.FieldByName(tf.Name)
		if !ok {
			return nil, fmt.Errorf("%s has no field %s", from, tf.Name)
		}
		c, err := converter(ff.Type, tf.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", to, tf.Name, err)
		}
		fields = append(fields, field{ff.Index, i, c})
	}
	return func(v reflect.Value) reflect.Value {
		out := reflect.New(to).Elem()
		for _, f := range fields {
			out.Field(f.to).Set(f.c(v.FieldByIndex(f.from)))
		}
		return out
	}, nil
}

// toNull turns a nil pointer into an invalid sql.Null*, any other pointer or value
// into a valid one holding the converted value.
func toNull(from, to reflect.Type) (conv, error) {
	ptr := from.Kind() == reflect.Pointer
	elem := from
	if ptr {
		elem = from.Elem()
	}
	c, err := converter(elem, to.Field(0).Type) // Int64 or String
	if err != nil {
		return nil, err
	}
	return func(v reflect.Value) reflect.Value {
		out := reflect.New(to).Elem()
		if (ptr || from.Kind() == reflect.Slice) && v.IsNil() {
			return out // a nil slice is NULL too: "no filter", where an empty one matches nothing
		}
		if ptr {
			v = v.Elem()
		}
		out.Field(0).Set(c(v))
		out.FieldByName("Valid").SetBool(true)
		return out
	}, nil
}

func fromNull(from, to reflect.Type) (conv, error) {
	c, err := converter(from.Field(0).Type, to.Elem())
	if err != nil {
		return nil, err
	}
	return func(v reflect.Value) reflect.Value {
		if !v.FieldByName("Valid").Bool() {
			return reflect.Zero(to)
		}
		p := reflect.New(to.Elem())
		p.Elem().Set(c(v.Field(0)))
		return p
	}, nil
}
