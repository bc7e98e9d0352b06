package worker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// attempter is what one delivery attempt goes through on its way to the receiver:
// the receiver's circuit breaker, the request with its span, and the count of what
// came of it. The line sender decides what an attempt means for the line.
type attempter struct {
	timeout time.Duration
	sender  ports.WebhookSender
	breaker *webhook.Breaker
	// metrics counts attempts by outcome and the lag of delivered events; tracer
	// spans each attempt (Webhooks.Observe).
	metrics ports.Metrics
	tracer  ports.Tracer
}

// allow says whether d's receiver may be tried now; when not, d is deferred until
// its breaker lets attempts through again.
func (a *attempter) allow(d *webhook.Delivery, now time.Time) bool {
	ok, until := a.breaker.Allow(d.URL, now)
	if !ok {
		d.Defer(until, now)
	}
	return ok
}

// send posts d's request to its receiver, within a span that ends in error when the
// receiver does not answer 2xx.
func (a *attempter) send(ctx context.Context, d webhook.Delivery, req webhook.Request, reach netpolicy.Reach) (ports.WebhookResponse, error) {
	ctx, span := a.tracer.Start(ctx, "warest.webhook.delivery", "warest.delivery", d.ID, "warest.event", d.EventID,
		"warest.session", d.SessionID)
	resp, err := a.sender.Send(ctx, ports.WebhookRequest{URL: d.URL, Body: req.Body, Headers: req.Headers, Timeout: a.timeout, Reach: reach})
	spanErr := err
	if err == nil && (resp.Status < 200 || resp.Status > 299) {
		spanErr = fmt.Errorf("receiver answered %d", resp.Status)
	}
	span.End(spanErr, "http.response.status_code", strconv.Itoa(resp.Status))
	return resp, err
}

// record lets the receiver's breaker learn how an attempt went.
func (a *attempter) record(url string, out webhook.Outcome, now time.Time) {
	a.breaker.Record(url, out, now)
}

// count counts a recorded attempt by what became of its delivery; a delivered one
// with the lag since its event.
func (a *attempter) count(d webhook.Delivery, now time.Time) {
	switch d.Status {
	case webhook.DeliveryDelivered:
		a.metrics.DeliveryAttempted(ports.DeliveryDelivered, now.Sub(d.CreatedAt))
	case webhook.DeliveryDead:
		a.metrics.DeliveryAttempted(ports.DeliveryDead, 0)
	default:
		a.metrics.DeliveryAttempted(ports.DeliveryRetry, 0)
	}
}
