// Package tracing is the OpenTelemetry adapter: spans around HTTP requests, sends
// and webhook deliveries (ports.Tracer), exported over OTLP/HTTP. It is used only
// when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set; the
// exporter reads the other standard OTEL_EXPORTER_OTLP_* variables itself.
package tracing

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/warest-go/warest/ports"
)

// Enabled reports whether the environment asks for traces.
func Enabled(lookup func(string) (string, bool)) bool {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if v, ok := lookup(name); ok && v != "" {
			return true
		}
	}
	return false
}

// Tracer implements ports.Tracer on an OpenTelemetry tracer provider.
type Tracer struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
}

var _ ports.Tracer = (*Tracer)(nil)

// FromEnv exports over OTLP/HTTP as the standard variables say.
func FromEnv(ctx context.Context, service, version string) (*Tracer, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	return New(sdktrace.WithBatcher(exp), service, version), nil
}

// New builds a tracer whose spans go to the processor (a batcher in production,
// a syncer over an in-memory exporter in tests).
func New(processor sdktrace.TracerProviderOption, service, version string) *Tracer {
	res := resource.NewSchemaless(semconv.ServiceName(service), semconv.ServiceVersion(version))
	p := sdktrace.NewTracerProvider(processor, sdktrace.WithResource(res))
	return &Tracer{provider: p, tracer: p.Tracer("github.com/warest-go/warest")}
}

// Shutdown sends the spans still buffered.
func (t *Tracer) Shutdown(ctx context.Context) error { return t.provider.Shutdown(ctx) }

// Continue joins ctx to the trace a caller's W3C traceparent header names.
func (t *Tracer) Continue(ctx context.Context, h http.Header) context.Context {
	return propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(h))
}

func (t *Tracer) Start(ctx context.Context, name string, attrs ...string) (context.Context, ports.Span) {
	ctx, s := t.tracer.Start(ctx, name, trace.WithAttributes(keyValues(attrs)...))
	return ctx, span{s}
}

type span struct{ s trace.Span }

func (s span) End(err error, attrs ...string) {
	s.s.SetAttributes(keyValues(attrs)...)
	if err != nil {
		// A URL error names the URL, and a receiver's URL may carry a token.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		s.s.RecordError(err)
		s.s.SetStatus(codes.Error, err.Error())
	}
	s.s.End()
}

func keyValues(attrs []string) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, len(attrs)/2)
	for i := 0; i+1 < len(attrs); i += 2 {
		kv = append(kv, attribute.String(attrs[i], attrs[i+1]))
	}
	return kv
}
