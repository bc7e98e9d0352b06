package bus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"
)

// signalPoll is how often a node looks for signals of other nodes while idle: the
// cross-node latency of a wake-up, and one cheap query per topic per interval.
const signalPoll = 100 * time.Millisecond

// NewPostgres builds a bus whose signals cross nodes through watermill-sql on the
// PostgreSQL database the gateway already uses (its own tables, watermill_<topic>
// and watermill_offsets_<topic>, created by watermill on first use). Events stay
// in process: only the relay's leader publishes them, and Publish must wait for
// its own scheduler, whose work (deliveries in the store) every node then sees.
func NewPostgres(ctx context.Context, cfg Config, url string, log *slog.Logger) (*Bus, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bus: postgres pool: %w", err)
	}
	b := New(cfg, log)
	// A signal's payload is its key, not JSON.
	schema := wmsql.DefaultPostgreSQLSchema{GeneratePayloadType: func(string) string { return "BYTEA" }}
	pub, err := wmsql.NewPublisher(wmsql.BeginnerFromPgx(pool), wmsql.PublisherConfig{SchemaAdapter: schema, AutoInitializeSchema: true}, b.wmLog)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("bus: postgres publisher: %w", err)
	}
	node := watermill.NewShortUUID()
	b.signalPub = pub
	var subs []message.Subscriber
	b.signalSub = func(handler int) (message.Subscriber, error) {
		// A consumer group per handler of this process: every node (and every
		// handler) gets every signal.
		sub, err := wmsql.NewSubscriber(wmsql.BeginnerFromPgx(pool), wmsql.SubscriberConfig{
			ConsumerGroup:    fmt.Sprintf("warest-%s-%d", node, handler),
			PollInterval:     signalPoll,
			SchemaAdapter:    schema,
			OffsetsAdapter:   fromLatest{schema: schema},
			InitializeSchema: true,
		}, b.wmLog)
		if err == nil {
			subs = append(subs, sub)
		}
		return sub, err
	}
	b.onClose = func() {
		for _, s := range subs {
			_ = s.Close()
		}
		pool.Close()
	}
	return b, nil
}

// fromLatest starts a new consumer group after the signals already stored, not at
// the first one ever sent: a node that starts has nothing to catch up on, the
// stores are the truth.
type fromLatest struct {
	wmsql.DefaultPostgreSQLOffsetsAdapter
	schema wmsql.DefaultPostgreSQLSchema
}

func (a fromLatest) BeforeSubscribingQueries(p wmsql.BeforeSubscribingQueriesParams) ([]wmsql.Query, error) {
	return []wmsql.Query{{
		Query: `INSERT INTO ` + a.MessagesOffsetsTable(p.Topic) + ` (consumer_group, offset_acked, last_processed_transaction_id)
			SELECT $1, COALESCE(MAX("offset"), 0), COALESCE(MAX(transaction_id), '0') FROM ` + a.schema.MessagesTable(p.Topic) + `
			ON CONFLICT DO NOTHING`,
		Args: []any{p.ConsumerGroup},
	}}, nil
}
