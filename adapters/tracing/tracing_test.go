package tracing_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/warest-go/warest/adapters/tracing"
)

func TestSpansCarryTheirAttributesParentAndFailure(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tr := tracing.New(sdktrace.WithSyncer(exp), "warest-test", "1.2.3")
	ctx, parent := tr.Start(context.Background(), "HTTP POST", "http.request.method", "POST")
	_, child := tr.Start(ctx, "warest.webhook.delivery", "warest.delivery", "d1")
	child.End(&url.Error{Op: "Post", URL: "https://hooks.example/x?token=secret", Err: errors.New("connection refused")})
	parent.End(nil, "http.route", "/api/v1/messages/send/text")
	spans := exp.GetSpans() // read before Shutdown, which empties the exporter
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	delivery, request := spans[0], spans[1]
	if delivery.Name != "warest.webhook.delivery" || delivery.Parent.SpanID() != request.SpanContext.SpanID() {
		t.Fatalf("delivery span %q is not the request's child", delivery.Name)
	}
	if delivery.Status.Code != codes.Error || delivery.Status.Description != "connection refused" {
		t.Fatalf("delivery status %+v: the failure, without the receiver's URL", delivery.Status)
	}
	attrs := map[string]string{}
	for _, kv := range request.Attributes {
		attrs[string(kv.Key)] = kv.Value.AsString()
	}
	if attrs["http.request.method"] != "POST" || attrs["http.route"] != "/api/v1/messages/send/text" || request.Status.Code == codes.Error {
		t.Fatalf("request span: %v %+v", attrs, request.Status)
	}
	if v, _ := request.Resource.Set().Value("service.name"); v.AsString() != "warest-test" {
		t.Fatalf("service.name = %q", v.AsString())
	}
}

// A request that names its caller's trace (traceparent) joins it.
func TestContinueJoinsTheCallersTrace(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tr := tracing.New(sdktrace.WithSyncer(exp), "warest-test", "1")
	h := http.Header{}
	h.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	_, s := tr.Start(tr.Continue(context.Background(), h), "HTTP GET")
	s.End(nil)
	spans := exp.GetSpans()
	if len(spans) != 1 || spans[0].SpanContext.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		spans[0].Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("spans %+v", spans)
	}
}

func TestEnabledByTheStandardVariables(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if tracing.Enabled(env(nil)) || tracing.Enabled(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ""})) {
		t.Fatal("enabled without an endpoint")
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		if !tracing.Enabled(env(map[string]string{name: "http://collector:4318"})) {
			t.Errorf("%s does not enable tracing", name)
		}
	}
}
