package ports

import (
	"context"
	"time"
)

// Metrics hears the outcomes an operator counts, where the application sees them
// happen. State (queues, sessions by status, dead letters) is not reported here: it
// is read from the store when scraped (StatsReader). Calls must be cheap and never
// block: they sit on the hot paths.
type Metrics interface {
	// SendsAccepted counts messages queued by a send request.
	SendsAccepted(n int)
	// SendFinished counts a message the send queue sent or failed for good.
	SendFinished(outcome SendOutcome)
	// DeliveryAttempted counts a webhook delivery attempt by its outcome; lag is how
	// long after its event was scheduled a delivery reached its receiver (delivered only).
	DeliveryAttempted(outcome DeliveryOutcome, lag time.Duration)
	// ConnectionLost counts a session's open WhatsApp connection dropping (a flap).
	ConnectionLost()
}

// SendOutcome is how a queued message ended.
type SendOutcome string

const (
	SendSent   SendOutcome = "sent"
	SendFailed SendOutcome = "failed"
)

// DeliveryOutcome is what one webhook delivery attempt came to.
type DeliveryOutcome string

const (
	DeliveryDelivered DeliveryOutcome = "delivered"
	DeliveryRetry     DeliveryOutcome = "retry"
	DeliveryDead      DeliveryOutcome = "dead"
)

// NoMetrics is the Metrics of a gateway that counts nothing.
type NoMetrics struct{}

func (NoMetrics) SendsAccepted(int)                                {}
func (NoMetrics) SendFinished(SendOutcome)                         {}
func (NoMetrics) DeliveryAttempted(DeliveryOutcome, time.Duration) {}
func (NoMetrics) ConnectionLost()                                  {}

// StatsReader reads the state gauges an operator watches, when they are scraped.
// Each read is a few aggregate queries, bounded by the number of sessions.
type StatsReader interface {
	Stats(ctx context.Context) (Stats, error)
}

// Stats is the state of the gateway's store at one moment.
type Stats struct {
	SessionsByStatus map[string]int
	Queues           []QueueStat // sessions with queued messages
	ParkedEvents     int         // transport events the store refused, kept as dead letters
	DeadDeliveries   int         // webhook deliveries given up
}

// QueueStat is one session's send queue.
type QueueStat struct {
	SessionID string
	Depth     int
	Oldest    time.Time // acceptance of the oldest queued message
}
