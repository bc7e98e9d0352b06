package store

import (
	"context"

	"github.com/warest-go/warest/ports"
)

var _ ports.StatsReader = (*Core)(nil)

// Stats reads the state gauges of /metrics: four aggregate queries on indexed
// columns, bounded by the number of sessions.
func (c *Core) Stats(ctx context.Context) (ports.Stats, error) {
	q, d := c.Q, c.D
	statuses, err := q.CountSessionsByStatus(ctx)
	if err != nil {
		return ports.Stats{}, d.Wrap(err, "count sessions by status")
	}
	queues, err := q.QueuedMessagesBySession(ctx)
	if err != nil {
		return ports.Stats{}, d.Wrap(err, "count queued messages")
	}
	parked, err := q.CountParkedEvents(ctx)
	if err != nil {
		return ports.Stats{}, d.Wrap(err, "count parked events")
	}
	dead, err := q.CountDeadDeliveries(ctx)
	if err != nil {
		return ports.Stats{}, d.Wrap(err, "count dead deliveries")
	}
	s := ports.Stats{SessionsByStatus: make(map[string]int, len(statuses)), Queues: make([]ports.QueueStat, len(queues)),
		ParkedEvents: int(parked), DeadDeliveries: int(dead)}
	for _, row := range statuses {
		s.SessionsByStatus[row.Status] = int(row.N)
	}
	for i, row := range queues {
		s.Queues[i] = ports.QueueStat{SessionID: row.SessionID, Depth: int(row.Depth), Oldest: row.Oldest}
	}
	return s, nil
}
