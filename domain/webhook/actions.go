package webhook

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Two-way webhooks: a receiver that answers 2xx with {"actions": [...], "delayMs": n}
// asks the gateway to act in the same session. This file parses that answer into a
// bounded plan; running it is the application's job.

// ActionKind names an action: a data action sends something, a control action
// shapes the run or changes account state.
type ActionKind string

const (
	ActText     ActionKind = "text"
	ActMedia    ActionKind = "media"
	ActDocument ActionKind = "document"
	ActLocation ActionKind = "location"
	ActSticker  ActionKind = "sticker"
	ActVCard    ActionKind = "vcard"
	ActButton   ActionKind = "button"
	ActList     ActionKind = "list"
	ActPoll     ActionKind = "poll"
	ActForward  ActionKind = "forward"
	ActRaw      ActionKind = "raw"
	ActNoop     ActionKind = "noop"

	ActDelay    ActionKind = "delay"
	ActTyping   ActionKind = "typing"
	ActPresence ActionKind = "presence"
	ActReact    ActionKind = "react"
	ActStar     ActionKind = "star"
	ActUnstar   ActionKind = "unstar"
	ActDelete   ActionKind = "delete"
	ActRevoke   ActionKind = "revoke"
	ActEdit     ActionKind = "edit"
	ActRead     ActionKind = "read"
	ActQueue    ActionKind = "queue"
	ActParallel ActionKind = "parallel"
	ActWhen     ActionKind = "when"
	ActRetry    ActionKind = "retry"
)

var dataKinds = map[ActionKind]bool{ActText: true, ActMedia: true, ActDocument: true, ActLocation: true, ActSticker: true,
	ActVCard: true, ActButton: true, ActList: true, ActPoll: true, ActForward: true, ActRaw: true, ActNoop: true}

var controlKinds = map[ActionKind]bool{ActDelay: true, ActTyping: true, ActPresence: true, ActReact: true, ActStar: true,
	ActUnstar: true, ActDelete: true, ActRevoke: true, ActEdit: true, ActRead: true, ActQueue: true, ActParallel: true,
	ActWhen: true, ActRetry: true}

// IsData reports whether the kind sends a message (the run pauses after each).
func (k ActionKind) IsData() bool { return dataKinds[k] }

// Action is one parsed action: its fields after templating, and nested actions for
// queue, parallel, when and retry.
type Action struct {
	Kind   ActionKind
	Path   string         // position in the plan, e.g. "2.then.0": stable, used for idempotency
	Fields map[string]any // every string already templated
	Items  []Action       // queue/parallel items, when's then-branch, retry's item
	Else   []Action       // when's else-branch
	OnFail []Action       // retry's fallback
}

// Plan is a receiver's answer.
type Plan struct {
	Actions []Action
	Delay   time.Duration // pause after each data action
}

// ActionLimits bound what one answer may ask for.
type ActionLimits struct {
	MaxActions   int           // in total, nested ones included
	MaxDepth     int           // nesting of queue/parallel/when/retry
	DefaultDelay time.Duration // WAREST_WEBHOOK_ACTIONS_DELAY_MS
	MaxDelay     time.Duration // cap of any single wait
}

// DefaultActionLimits keep one answer from running away.
var DefaultActionLimits = ActionLimits{MaxActions: 50, MaxDepth: 5, DefaultDelay: 1200 * time.Millisecond, MaxDelay: 30 * time.Second}

// ParseActions reads a receiver's 2xx body. ok is false when the body asks for
// nothing (not JSON, or no "actions"); an error means the receiver asked badly.
// vars is the template context: the delivered body's fields, with data's fields also
// at the top level.
func ParseActions(body []byte, vars map[string]any, lim ActionLimits) (plan Plan, ok bool, err error) {
	var answer struct {
		Actions json.RawMessage `json:"actions"`
		DelayMs *float64        `json:"delayMs"`
	}
	if json.Unmarshal(body, &answer) != nil || len(answer.Actions) == 0 || string(answer.Actions) == "null" {
		return Plan{}, false, nil
	}
	var raw []any
	if err := json.Unmarshal(answer.Actions, &raw); err != nil {
		return Plan{}, true, fmt.Errorf("actions must be an array")
	}
	p := parser{vars: vars, lim: lim}
	plan.Actions, err = p.list(raw, "", 1)
	if err != nil {
		return Plan{}, true, err
	}
	plan.Delay = lim.DefaultDelay
	if answer.DelayMs != nil {
		plan.Delay = lim.clamp(time.Duration(*answer.DelayMs) * time.Millisecond)
	}
	return plan, true, nil
}

func (l ActionLimits) clamp(d time.Duration) time.Duration {
	return max(0, min(d, l.MaxDelay))
}

type parser struct {
	vars  map[string]any
	lim   ActionLimits
	count int
}

func (p *parser) list(raw []any, prefix string, depth int) ([]Action, error) {
	if depth > p.lim.MaxDepth {
		return nil, fmt.Errorf("actions nest deeper than %d", p.lim.MaxDepth)
	}
	out := make([]Action, 0, len(raw))
	for i, r := range raw {
		a, err := p.one(r, prefix+strconv.Itoa(i), depth)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (p *parser) one(raw any, path string, depth int) (Action, error) {
	p.count++
	if p.count > p.lim.MaxActions {
		return Action{}, fmt.Errorf("more than %d actions", p.lim.MaxActions)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return Action{}, fmt.Errorf("action %s is not an object", path)
	}
	kind := kindOf(obj)
	if !kind.IsData() && !controlKinds[kind] {
		return Action{}, fmt.Errorf("action %s: unknown type %q", path, kind)
	}
	a := Action{Kind: kind, Path: path}
	var err error
	switch kind {
	case ActQueue, ActParallel:
		a.Items, err = p.nested(obj, path+".items", depth, "items")
	case ActWhen:
		if a.Items, err = p.nested(obj, path+".then", depth, "then", "do", "items"); err == nil {
			a.Else, err = p.nested(obj, path+".else", depth, "else", "otherwise")
		}
	case ActRetry:
		item := first(obj, "item")
		if item == nil {
			if items, ok := first(obj, "items").([]any); ok && len(items) > 0 {
				item = items[0]
			}
		}
		if item == nil {
			return Action{}, fmt.Errorf("action %s: retry needs an item", path)
		}
		if a.Items, err = p.list([]any{item}, path+".item.", depth+1); err == nil {
			a.OnFail, err = p.nested(obj, path+".onFail", depth, "onFail")
		}
	}
	if err != nil {
		return Action{}, err
	}
	a.Fields = map[string]any{}
	for k, v := range obj {
		switch k {
		case "items", "then", "do", "else", "otherwise", "item", "onFail":
			continue
		}
		a.Fields[k] = render(v, p.vars)
	}
	return a, nil
}

func (p *parser) nested(obj map[string]any, path string, depth int, names ...string) ([]Action, error) {
	v := first(obj, names...)
	if v == nil {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	return p.list(items, path+".", depth+1)
}

// kindOf reads the action's kind from act, action or type, as WAREST does.
func kindOf(obj map[string]any) ActionKind {
	for _, k := range []string{"act", "action", "type"} {
		if s, ok := obj[k].(string); ok && s != "" {
			return ActionKind(strings.ToLower(s))
		}
	}
	return ""
}

func first(obj map[string]any, names ...string) any {
	for _, n := range names {
		if v, ok := obj[n]; ok && v != nil {
			return v
		}
	}
	return nil
}

var placeholder = regexp.MustCompile(`\{\{\s*([^{}\s]+)\s*\}\}`)

// render fills {{path}} placeholders in every string of v. A string that is exactly
// one placeholder takes the value itself, so objects (a message key) pass through.
func render(v any, vars map[string]any) any {
	switch x := v.(type) {
	case string:
		if m := placeholder.FindStringSubmatch(x); m != nil && m[0] == strings.TrimSpace(x) {
			if val, ok := Lookup(vars, m[1]); ok {
				return val
			}
			return ""
		}
		return placeholder.ReplaceAllStringFunc(x, func(s string) string {
			val, _ := Lookup(vars, placeholder.FindStringSubmatch(s)[1])
			return Stringify(val)
		})
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = render(e, vars)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = render(e, vars)
		}
		return out
	}
	return v
}

// Lookup follows a dotted path ("sender.chatId", "data.message.key", "items.0")
// through maps and arrays.
func Lookup(vars map[string]any, path string) (any, bool) {
	var cur any = vars
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Stringify renders a template value inside a larger string.
func Stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Truthy is `when`'s test: false for "", 0, false, null, "no" (and their string
// forms, since templates produce strings), true otherwise.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "", "0", "false", "null", "undefined", "no":
			return false
		}
	}
	return true
}

// TemplateVars builds the template context of a delivered body: its own fields,
// and data's fields again at the top level ({{text}} as well as {{data.text}}).
func TemplateVars(body []byte) map[string]any {
	vars := map[string]any{}
	if json.Unmarshal(body, &vars) != nil {
		return map[string]any{}
	}
	if data, ok := vars["data"].(map[string]any); ok {
		for k, v := range data {
			if _, taken := vars[k]; !taken {
				vars[k] = v
			}
		}
	}
	return vars
}

// Duration reads a wait from fields: ms/delayMs in milliseconds or seconds/sec.
func (a Action) Duration(lim ActionLimits, fallback time.Duration) time.Duration {
	for _, k := range []string{"ms", "delayMs", "backoffMs"} {
		if n, ok := number(a.Fields[k]); ok {
			return lim.clamp(time.Duration(n * float64(time.Millisecond)))
		}
	}
	for _, k := range []string{"seconds", "sec"} {
		if n, ok := number(a.Fields[k]); ok {
			return lim.clamp(time.Duration(n * float64(time.Second)))
		}
	}
	return lim.clamp(fallback)
}

// String returns the first non-empty string field among names.
func (a Action) String(names ...string) string {
	for _, n := range names {
		if s := Stringify(a.Fields[n]); s != "" {
			return s
		}
	}
	return ""
}

// Number returns the first numeric field among names.
func (a Action) Number(names ...string) (float64, bool) {
	for _, n := range names {
		if v, ok := number(a.Fields[n]); ok {
			return v, true
		}
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}
