package webhook_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/webhook"
)

var delivered = []byte(`{"event":"message_received","data":{"text":"ping","sender":{"chatId":"6281@s.whatsapp.net"},
	"message":{"key":{"remoteJid":"6281@s.whatsapp.net","fromMe":false,"id":"3EB0AA"}},"count":3},"ts":1700000000000,
	"session":{"id":"shop","username":"alice"}}`)

func parse(t *testing.T, answer string) webhook.Plan {
	t.Helper()
	plan, ok, err := webhook.ParseActions([]byte(answer), webhook.TemplateVars(delivered), webhook.DefaultActionLimits)
	if err != nil || !ok {
		t.Fatalf("ParseActions(%s): ok=%v err=%v", answer, ok, err)
	}
	return plan
}

func TestParseActions_NothingToDo(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "OK", `{"ok":true}`, `{"actions":null}`, `[1,2]`} {
		if _, ok, err := webhook.ParseActions([]byte(body), nil, webhook.DefaultActionLimits); ok || err != nil {
			t.Errorf("%q: ok=%v err=%v, want nothing", body, ok, err)
		}
	}
}

func TestParseActions_TemplatesAndKinds(t *testing.T) {
	t.Parallel()
	plan := parse(t, `{"delayMs":250,"actions":[
		{"type":"text","to":"{{sender.chatId}}","text":"pong to {{data.text}} x{{count}} in {{session.id}}{{missing}}"},
		{"act":"react","key":"{{data.message.key}}","emoji":"👍"},
		{"action":"delay","ms":100},
		{"type":"typing","ms":"40"}]}`)
	if plan.Delay != 250*time.Millisecond || len(plan.Actions) != 4 {
		t.Fatalf("plan: %+v", plan)
	}
	text := plan.Actions[0]
	if text.Kind != webhook.ActText || text.Path != "0" || text.String("to") != "6281@s.whatsapp.net" ||
		text.String("text") != "pong to ping x3 in shop" {
		t.Errorf("text action: %+v", text)
	}
	key, ok := plan.Actions[1].Fields["key"].(map[string]any)
	if !ok || key["id"] != "3EB0AA" || plan.Actions[1].Kind != webhook.ActReact {
		t.Errorf("a whole-string placeholder should keep the object: %#v", plan.Actions[1].Fields["key"])
	}
	if d := plan.Actions[2].Duration(webhook.DefaultActionLimits, 0); d != 100*time.Millisecond {
		t.Errorf("delay %v", d)
	}
	if d := plan.Actions[3].Duration(webhook.DefaultActionLimits, 0); d != 40*time.Millisecond {
		t.Errorf("typing %v", d)
	}
	if !text.Kind.IsData() || plan.Actions[1].Kind.IsData() {
		t.Error("data/control classification is wrong")
	}
}

func TestParseActions_NestingAndPaths(t *testing.T) {
	t.Parallel()
	plan := parse(t, `{"actions":[{"type":"when","cond":"{{text}}","then":[{"type":"text","text":"a"}],"else":{"type":"noop"}},
		{"type":"retry","attempts":2,"item":{"type":"text","text":"b"},"onFail":[{"type":"text","text":"c"}]},
		{"type":"parallel","items":[{"type":"noop"},{"type":"queue","items":[{"type":"noop"}]}]}]}`)
	when := plan.Actions[0]
	if when.Kind != webhook.ActWhen || !webhook.Truthy(when.Fields["cond"]) || len(when.Items) != 1 || len(when.Else) != 1 ||
		when.Items[0].Path != "0.then.0" || when.Else[0].Path != "0.else.0" {
		t.Errorf("when: %+v", when)
	}
	retry := plan.Actions[1]
	if retry.Items[0].Path != "1.item.0" || retry.OnFail[0].String("text") != "c" {
		t.Errorf("retry: %+v", retry)
	}
	if inner := plan.Actions[2].Items[1].Items[0]; inner.Path != "2.items.1.items.0" {
		t.Errorf("nested path %q", inner.Path)
	}
	if _, present := when.Fields["then"]; present {
		t.Error("nested actions leaked into fields")
	}
}

func TestParseActions_RejectsBadAnswers(t *testing.T) {
	t.Parallel()
	lim := webhook.ActionLimits{MaxActions: 3, MaxDepth: 2, MaxDelay: time.Second}
	deep := `{"actions":[{"type":"queue","items":[{"type":"queue","items":[{"type":"noop"}]}]}]}`
	for name, body := range map[string]string{
		"not an array":  `{"actions":{"type":"text"}}`,
		"not an object": `{"actions":["text"]}`,
		"unknown type":  `{"actions":[{"type":"explode"}]}`,
		"no type":       `{"actions":[{"to":"1"}]}`,
		"too many":      `{"actions":[{"type":"noop"},{"type":"noop"},{"type":"noop"},{"type":"noop"}]}`,
		"too deep":      deep,
		"retry no item": `{"actions":[{"type":"retry"}]}`,
	} {
		if _, ok, err := webhook.ParseActions([]byte(body), nil, lim); !ok || err == nil {
			t.Errorf("%s: ok=%v err=%v, want an error", name, ok, err)
		}
	}
	plan, _, err := webhook.ParseActions([]byte(`{"delayMs":99999,"actions":[{"type":"delay","seconds":3600}]}`), nil, lim)
	if err != nil || plan.Delay != time.Second || plan.Actions[0].Duration(lim, 0) != time.Second {
		t.Errorf("waits are not capped: %+v %v", plan, err)
	}
}

func TestTruthy(t *testing.T) {
	t.Parallel()
	for _, v := range []any{nil, false, 0.0, "", " ", "0", "false", "FALSE", "null", "undefined", "no"} {
		if webhook.Truthy(v) {
			t.Errorf("%#v is truthy", v)
		}
	}
	for _, v := range []any{true, 1.0, "yes", "ping", map[string]any{}, []any{}} {
		if !webhook.Truthy(v) {
			t.Errorf("%#v is falsy", v)
		}
	}
}

func TestLookupAndStringify(t *testing.T) {
	t.Parallel()
	vars := webhook.TemplateVars([]byte(`{"data":{"list":[{"n":1.5}],"ok":true},"event":"x"}`))
	if v, ok := webhook.Lookup(vars, "data.list.0.n"); !ok || webhook.Stringify(v) != "1.5" {
		t.Errorf("array path: %v %v", v, ok)
	}
	if v, _ := webhook.Lookup(vars, "ok"); webhook.Stringify(v) != "true" {
		t.Errorf("data fields at top level: %v", v)
	}
	if _, ok := webhook.Lookup(vars, "data.list.9"); ok {
		t.Error("out of range found")
	}
	if s := webhook.Stringify(map[string]any{"a": 1.0}); !strings.Contains(s, `"a":1`) {
		t.Errorf("object as JSON: %s", s)
	}
	if !reflect.DeepEqual(webhook.TemplateVars([]byte("nope")), map[string]any{}) {
		t.Error("bad JSON should give an empty context")
	}
}
