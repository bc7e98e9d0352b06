package ports

import "context"

// Tracer opens spans around the work an operator follows across services: HTTP
// requests, sends, webhook deliveries. NoTracer when tracing is off.
type Tracer interface {
	// Start opens a span named name under ctx's span; attrs are key, value pairs.
	Start(ctx context.Context, name string, attrs ...string) (context.Context, Span)
}

// Span is one traced operation.
type Span interface {
	// End records what the operation turned out to be (attrs: key, value pairs)
	// and closes the span; a non-nil err marks it failed.
	End(err error, attrs ...string)
}

// NoTracer traces nothing.
type NoTracer struct{}

func (NoTracer) Start(ctx context.Context, _ string, _ ...string) (context.Context, Span) {
	return ctx, noSpan{}
}

type noSpan struct{}

func (noSpan) End(error, ...string) {}
