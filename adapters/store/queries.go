package store

import (
	"context"
	"time"
)

// Queries is the statements the repositories run, as every dialect's sqlc code
// declares them (sql/<dialect>/*.sql, same names), over the shared row types below.
// Bind fills it from a dialect's *db.Queries.
type Queries struct {
	CreateUser        func(ctx context.Context, arg UserRow) (int64, error)
	GetUser           func(ctx context.Context, id string) (UserRow, error)
	GetUserForUpdate  func(ctx context.Context, id string) (UserRow, error)
	GetUserByUsername func(ctx context.Context, username string) (UserRow, error)
	GetUserByRegistry func(ctx context.Context, registry string) (UserRow, error)
	UpdateUser        func(ctx context.Context, arg UserRow) (int64, error)
	ListUsers         func(ctx context.Context) ([]UserRow, error)

	CreateAPIKey         func(ctx context.Context, arg APIKeyRow) (int64, error)
	GetAPIKeyByHash      func(ctx context.Context, hash string) (APIKeyRow, error)
	ListAPIKeysByUser    func(ctx context.Context, userID string) ([]APIKeyRow, error)
	RevokeAPIKey         func(ctx context.Context, arg APIKeyRow) (int64, error)
	TouchAPIKey          func(ctx context.Context, arg APIKeyRow) error
	DeleteEndedLoginKeys func(ctx context.Context, arg LoginKeysArg) error

	ParkEvent        func(ctx context.Context, arg ParkedRow) (int64, error)
	ListParkedEvents func(ctx context.Context, lim int64) ([]ParkedRow, error)

	CreateSession         func(ctx context.Context, arg SessionRow) (int64, error)
	GetSession            func(ctx context.Context, id string) (SessionRow, error)
	GetSessionForUpdate   func(ctx context.Context, id string) (SessionRow, error)
	UpdateSession         func(ctx context.Context, arg SessionRow) (int64, error)
	DeleteSession         func(ctx context.Context, id string) (int64, error)
	ListSessions          func(ctx context.Context) ([]SessionRow, error)
	ListSessionsByOwner   func(ctx context.Context, owner string) ([]SessionRow, error)
	ListAutoStartSessions func(ctx context.Context) ([]SessionRow, error)

	CreateSubscription         func(ctx context.Context, arg SubscriptionRow) (int64, error)
	GetSubscription            func(ctx context.Context, id string) (SubscriptionRow, error)
	GetSubscriptionForUpdate   func(ctx context.Context, id string) (SubscriptionRow, error)
	UpdateSubscription         func(ctx context.Context, arg SubscriptionRow) (int64, error)
	PutSubscription            func(ctx context.Context, arg SubscriptionRow) error
	DeleteSubscription         func(ctx context.Context, id string) (int64, error)
	ListSubscriptionsBySession func(ctx context.Context, sessionID string) ([]SubscriptionRow, error)

	CreateMessage func(ctx context.Context, arg MessageRow) (int64, error)
	// PostgreSQL's: a message and its event in one round trip. SQLite runs in process
	// (nothing to save) and MySQL has no INSERT in a WITH; both run the two statements.
	CreateMessageWithEvent     func(ctx context.Context, arg MessageEventRow) (MessageEventCount, error) `bind:"optional"`
	GetMessage                 func(ctx context.Context, arg MessageRow) (MessageRow, error)
	GetMessageForUpdate        func(ctx context.Context, arg MessageRow) (MessageRow, error)
	UpdateMessage              func(ctx context.Context, arg MessageRow) (int64, error)
	ListQueuedMessages         func(ctx context.Context, arg ListArg) ([]MessageRow, error)
	ListExpiredQueuedMessages  func(ctx context.Context, arg ListArg) ([]MessageRow, error)
	SessionsWithQueuedMessages func(ctx context.Context) ([]string, error)
	ListSpentMessageBlobs      func(ctx context.Context, arg ListArg) ([]string, error)
	MarkMessageBlobDeleted     func(ctx context.Context, blobKey string) error
	ListSessionMessageBlobs    func(ctx context.Context, sessionID string) ([]string, error)

	AppendEvent           func(ctx context.Context, arg EventRow) (int64, error)
	GetEvent              func(ctx context.Context, id string) (EventRow, error)
	ListEventsByID        func(ctx context.Context, ids []string) ([]EventRow, error)
	ListEventsAfter       func(ctx context.Context, arg ListArg) ([]EventRow, error)
	ListEventsAfterFor    func(ctx context.Context, arg ListArg) ([]EventRow, error)
	ListUnpublishedEvents func(ctx context.Context, lim int64) ([]EventRow, error)
	LastEventPosition     func(ctx context.Context) (int64, error)
	PublishEvents         func(ctx context.Context, arg PublishArg) (int64, error)

	SaveInboundMessage    func(ctx context.Context, arg InboundRow) (int64, error)
	GetInboundMessage     func(ctx context.Context, arg InboundRow) (InboundRow, error)
	UpdateInboundMessage  func(ctx context.Context, arg InboundRow) (int64, error)
	PutInboundReaction    func(ctx context.Context, arg ReactionRow) error
	DeleteInboundReaction func(ctx context.Context, arg ReactionRow) error
	ListInboundReactions  func(ctx context.Context, arg ReactionRow) ([]ReactionRow, error)
	ListChatHistory       func(ctx context.Context, arg HistoryArg) ([]InboundRow, error)
	CountChatHistory      func(ctx context.Context, arg HistoryArg) (int64, error)
	ListChatSummaries     func(ctx context.Context, sessionID string) ([]ChatSummaryRow, error)
	MarkInboundRead       func(ctx context.Context, arg InboundRow) (int64, error)
	MarkInboundReceipt    func(ctx context.Context, arg InboundRow) error
	StarInboundMessage    func(ctx context.Context, arg InboundRow) error
	PutChatPin            func(ctx context.Context, arg ChatPinRow) error
	DeleteChatPin         func(ctx context.Context, arg ChatPinRow) error
	DeleteOldHistory      func(ctx context.Context, arg HistoryArg) (int64, error)
	DeleteOrphanReactions func(ctx context.Context, arg HistoryArg) error

	CreateDeliveries func(ctx context.Context, deliveries string) (int64, error)
	CreateDelivery   func(ctx context.Context, arg DeliveryRow) (int64, error)
	GetDelivery      func(ctx context.Context, id string) (DeliveryRow, error)
	SaveDelivery     func(ctx context.Context, arg DeliveryRow) (int64, error)
	// SaveDeliveries is SaveDelivery for a JSON array of them, in one statement: where
	// each statement is a round trip (PostgreSQL); the others save one at a time.
	SaveDeliveries        func(ctx context.Context, deliveries string) (int64, error) `bind:"optional"`
	ListDeliveries        func(ctx context.Context, arg DeliveryFilterArg) ([]DeliveryRow, error)
	ListDeliveriesByEvent func(ctx context.Context, eventID string) ([]DeliveryRow, error)
	// ClaimDueDeliveries leases the due heads of the delivery lines; the repository
	// runs it in a transaction. PostgreSQL does it in one statement (FOR UPDATE SKIP
	// LOCKED), SQLite in a few under its write lock (adapters/store/sqlite/claim.go).
	ClaimDueDeliveries func(ctx context.Context, arg ClaimArg) ([]DeliveryRow, error)

	GetSessionDevice    func(ctx context.Context, sessionID string) (string, error)
	PutSessionDevice    func(ctx context.Context, arg DeviceArg) error
	DeleteSessionDevice func(ctx context.Context, sessionID string) error

	// HitCounters hits a request's counters in one statement, one round trip
	// (PostgreSQL); HitCounter one counter (SQLite, in process, where a statement
	// costs less than decoding a JSON list; MySQL, which returns no list of counts).
	// A dialect has one of them.
	HitCounters         func(ctx context.Context, hits string) ([]CounterCount, error) `bind:"optional"`
	HitCounter          func(ctx context.Context, arg CounterHitArg) (int64, error)    `bind:"optional"`
	TouchCooldown       func(ctx context.Context, arg CooldownArg) error
	GetCooldown         func(ctx context.Context, arg CooldownArg) (time.Time, error)
	ClaimIdempotencyKey func(ctx context.Context, arg IdempotencyRow) (int64, error)
	GetIdempotencyKey   func(ctx context.Context, arg IdempotencyRow) (IdempotencyRow, error)

	// The leases (leases.go). MySQL reads back what RenewLeases and AcquireLease
	// change (adapters/store/mysql/queries.go); AcquireLease gives "no row" when the
	// lease is live.
	HeartbeatNode         func(ctx context.Context, arg NodeRow) error
	SetNodeDraining       func(ctx context.Context, arg NodeRow) (int64, error)
	DeleteNode            func(ctx context.Context, id string) error
	DeleteNodesSeenBefore func(ctx context.Context, seenAt time.Time) error
	ListLiveNodes         func(ctx context.Context, arg LeaseArg) ([]NodeRow, error)
	RenewLeases           func(ctx context.Context, arg LeaseArg) ([]LeaseRow, error)
	AcquireLease          func(ctx context.Context, arg LeaseArg) (LeaseRow, error)
	ReleaseLease          func(ctx context.Context, arg LeaseArg) (int64, error)
	ReleaseNodeLeases     func(ctx context.Context, arg LeaseArg) error
	ListLiveLeases        func(ctx context.Context, now time.Time) ([]LeaseRow, error)
	GetSessionOwner       func(ctx context.Context, arg LeaseArg) (OwnerRow, error)
	ListUnleasedSessions  func(ctx context.Context, now time.Time) ([]string, error)
	FenceToken            func(ctx context.Context, sessionID string) (int64, error)

	CountSessionsByStatus   func(ctx context.Context) ([]StatusCountRow, error)
	QueuedMessagesBySession func(ctx context.Context) ([]QueueRow, error)
	CountParkedEvents       func(ctx context.Context) (int64, error)
	CountDeadDeliveries     func(ctx context.Context) (int64, error)
}

// The row types hold every column a statement reads or writes; a statement's
// parameters are taken from them by name, so one type serves its table's statements.

type UserRow struct {
	ID, Username, PasswordHash, Role, Registry string
	MaxSessions, MaxStreams                    *int
	CreatedAt                                  time.Time
}

type APIKeyRow struct {
	ID, UserID, Kind, Name, Prefix, Hash string
	CreatedAt                            time.Time
	ExpiresAt, RevokedAt, LastUsedAt     *time.Time
}

type LoginKeysArg struct {
	UserID string
	Now    time.Time
}

type ParkedRow struct {
	ID, SessionID, Kind, Reason string
	Payload                     []byte
	ParkedAt                    time.Time
}

// CounterHitArg is one counter's hit for HitCounter.
type CounterHitArg struct {
	Key                    string
	WindowStart, ExpiresAt time.Time
}

// CounterCount is a counter's count after HitCounters.
type CounterCount struct {
	Key   string
	Count int64
}

type CooldownArg struct {
	SessionID, Recipient string
	LastSentAt           time.Time
}

type IdempotencyRow struct {
	Scope, Key, Hash, SessionID, MessageIds string
	CreatedAt, ExpiresAt                    time.Time
}

type SessionRow struct {
	ID, Owner, Status, LastError, WebhookUrl, WebhookSecret string
	MeJid                                                   *string
	MeLid, MeName                                           string
	LastConnAt                                              *time.Time
	AutoStart                                               bool
	RejectCalls                                             bool
	RejectCallMessage                                       string
	HistoryDays                                             int
	CreatedAt, UpdatedAt                                    time.Time
}

type SubscriptionRow struct {
	ID, SessionID, Url, Secret, PreviousSecret, Events, Mode, DisabledReason string
	PreviousUntil                                                            *time.Time
	Algorithm, Failures                                                      int
	Enabled                                                                  bool
	CreatedAt, UpdatedAt                                                     time.Time
}

type MessageRow struct {
	SessionID, ID, ToJid, Kind, Content, BlobKey, Status, FailReason, FailCode string
	Attempts                                                                   int
	CreatedAt, UpdatedAt                                                       time.Time
	ExpiresAt                                                                  *time.Time
}

// MessageEventRow is a new message and the event announcing it.
type MessageEventRow struct {
	MessageRow
	EventID, EventType, EventSessionID string
	OccurredAt                         time.Time
	Payload                            []byte
}

// MessageEventCount is how many messages and events CreateMessageWithEvent stored.
type MessageEventCount struct{ Messages, Events int64 }

type EventRow struct {
	ID, Type, SessionID string
	OccurredAt          time.Time
	Payload             []byte
	PublishedAt         *time.Time
	Position            *int64
}

type InboundRow struct {
	SessionID, ID, Chat, SenderJid, SenderLid, PushName, Kind, Text, MediaMime, MediaName, SearchText string
	FromMe, History                                                                                   bool
	MediaSize                                                                                         int64
	Content                                                                                           []byte
	SentAt, ReceivedAt                                                                                time.Time
	EditedAt, RevokedAt, ReadAt, DeliveredAt, SeenAt, StarredAt                                       *time.Time
}

// HistoryArg is the parameters of a chat's history page (message.HistoryQuery) and
// of retention's deletes.
type HistoryArg struct {
	SessionID, Chat, BeforeID, Search           string
	FromAt, UntilAt, BeforeAt, BeforeReceivedAt time.Time
	MediaOnly, FilterFromMe, FromMe, UnreadOnly bool
	Off, Lim                                    int64
}

type ChatSummaryRow struct {
	Chat, LastText, Name    string
	Messages, Unread, Media int64
	FirstAt, LastAt         time.Time
	Pinned                  bool
}

type ChatPinRow struct {
	SessionID, Chat string
	PinnedAt        time.Time
}

type ReactionRow struct {
	SessionID, MessageID, Reactor, Emoji string
	ReactedAt                            time.Time
}

// ListArg is the parameters of the paged lists.
type ListArg struct {
	SessionID  string
	SessionIds []string
	After      int64
	Now        time.Time
	Before     time.Time
	Lim        int64
}

type PublishArg struct {
	Ids         []string
	After       int64
	PublishedAt time.Time
}

type DeliveryRow struct {
	ID, EventID, SessionID, SubscriptionID, Url, Status, LastError string
	Attempts, LastStatus                                           int
	NextAttemptAt, CreatedAt, RetryFrom, UpdatedAt                 time.Time
}

// DeliveryFilterArg is ListDeliveries' filter; nil matches everything.
type DeliveryFilterArg struct {
	SessionIds                      []string
	Status, EventID, SubscriptionID *string
	CreatedFrom, CreatedTo          *time.Time
	Lim                             int64
}

type ClaimArg struct {
	Now, LockedUntil time.Time
	Lines, PerLine   int64
}

type DeviceArg struct{ SessionID, Jid string }

type StatusCountRow struct {
	Status string
	N      int64
}

type QueueRow struct {
	SessionID string
	Depth     int64
	Oldest    time.Time
}

type NodeRow struct {
	ID, Addr          string
	StartedAt, SeenAt time.Time
	Draining          bool
	Sessions          int64
}

type LeaseRow struct {
	SessionID, NodeID     string
	Token                 int64
	AcquiredAt, ExpiresAt time.Time
}

// OwnerRow is a lease with its node's address.
type OwnerRow struct {
	NodeID, Addr string
	Token        int64
	ExpiresAt    time.Time
}

// LeaseArg is the parameters of the lease statements.
type LeaseArg struct {
	SessionID, NodeID     string
	Now, SeenAt           time.Time
	AcquiredAt, ExpiresAt time.Time
}
