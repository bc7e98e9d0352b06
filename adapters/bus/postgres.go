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
// Signals older than signalKeep are deleted every signalPrune: a node that far
// behind has nothing to learn from them (the stores are the truth), and the
// tables would otherwise grow with every wake-up.
const (
	signalPoll  = 100 * time.Millisecond
	signalKeep  = 10 * time.Minute
	signalPrune = time.Minute
)

// signalSchema is watermill's PostgreSQL schema; a signal's payload is its key, not JSON.
var signalSchema = wmsql.DefaultPostgreSQLSchema{GeneratePayloadType: func(string) string { return "BYTEA" }}

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
	schema := signalSchema
	pub, err := wmsql.NewPublisher(wmsql.BeginnerFromPgx(pool), wmsql.PublisherConfig{SchemaAdapter: schema, AutoInitializeSchema: true}, b.wmLog)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("bus: postgres publisher: %w", err)
	}
	node := watermill.NewShortUUID()
	b.signalPub = pub
	var subs []message.Subscriber
	topics := map[string]bool{}
	b.signalSub = func(handler int, topic string) (message.Subscriber, error) {
		topics[topic] = true
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
	b.background = func(life context.Context) {
		t := time.NewTicker(signalPrune)
		defer t.Stop()
		for {
			select {
			case <-life.Done():
				return
			case <-t.C:
			}
			for topic := range topics { // read only once the bus runs: no handler is added then
				if err := pruneSignals(life, pool, schema, topic, signalKeep); err != nil && life.Err() == nil {
					b.log.Warn("prune signals", "topic", topic, "err", err)
				}
			}
		}
	}
	b.onClose = func() {
		for _, s := range subs {
			_ = s.Close()
		}
		pool.Close()
	}
	return b, nil
}

// pruneSignals deletes the topic's signals older than keep. Consumers track
// offsets, not rows, so deleting what they have passed is safe.
func pruneSignals(ctx context.Context, pool *pgxpool.Pool, schema wmsql.DefaultPostgreSQLSchema, topic string, keep time.Duration) error {
	_, err := pool.Exec(ctx, `DELETE FROM `+schema.MessagesTable(topic)+` WHERE created_at < CURRENT_TIMESTAMP - make_interval(secs => $1)`,
		keep.Seconds())
	return err
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
