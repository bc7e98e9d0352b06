package appworld

import (
	"github.com/warest-go/warest/adapters/bus"
	"github.com/warest-go/warest/adapters/memory"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/adapters/webhook"
)

// The tests of domain, ports and application reach adapters only through these
// names, so the layering rule holds for them too (test/arch) and what the use cases
// are tested on is chosen in one place.
type (
	MemoryStore   = memory.Store
	Network       = sandbox.Network
	NetworkConfig = sandbox.Config
	SQLiteStore   = sqlite.Store
	SQLiteConfig  = sqlite.Config
	BlobConfig    = storage.Config
	BusConfig     = bus.Config
	SenderConfig  = webhook.Config
	Renderer      = warestjson.Renderer
)

// WAREST's wire shapes, for tests that read rendered event data.
type (
	MessageKey               = warestjson.MessageKey
	Sender                   = warestjson.Sender
	MessageReceivedData      = warestjson.MessageReceivedData
	MessageReactionData      = warestjson.MessageReactionData
	MessageEditedData        = warestjson.MessageEditedData
	MessageRevokedData       = warestjson.MessageRevokedData
	MessageCommandData       = warestjson.MessageCommandData
	MessageStatusData        = warestjson.MessageStatusData
	MessageAckData           = warestjson.MessageAckData
	MessageUndecryptableData = warestjson.MessageUndecryptableData
	HistorySyncData          = warestjson.HistorySyncData
	SessionStatusData        = warestjson.SessionStatusData
	PresenceUpdateData       = warestjson.PresenceUpdateData
	WebhookDisabledData      = warestjson.WebhookDisabledData
	WebhookActionFailedData  = warestjson.WebhookActionFailedData
)

var (
	NewMemoryStore = memory.New
	NewNetwork     = sandbox.NewNetwork
	OpenSQLite     = sqlite.Open
	NewBlobs       = storage.New
	NewBus         = bus.New
	NewSender      = webhook.New
)
