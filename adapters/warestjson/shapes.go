package warestjson

// Payload shapes of the events, as WAREST receivers read them in the webhook `data`.
// `id` is the session id (WAREST puts it in every payload); sessionId is added on delivery.

// Me is the linked account in session events.
type Me struct {
	ID   string `json:"id"`
	LID  string `json:"lid,omitempty"`
	Name string `json:"name,omitempty"`
}

// SessionStatusData is the `session_status` payload.
type SessionStatusData struct {
	ID         string `json:"id"`
	Tags       string `json:"tags,omitempty"`   // create, close, qr, connecting, delete
	Status     string `json:"status,omitempty"` // open, reconnecting, logged_out, replaced, stopped
	QR         string `json:"qr,omitempty"`
	QRString   string `json:"qrString,omitempty"`
	QRDuration int    `json:"qrDuration,omitempty"` // seconds
	Me         *Me    `json:"me,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
	Code       string `json:"code,omitempty"`      // stable reason code of a disconnect
	RetryInMs  int64  `json:"retryInMs,omitempty"` // when the next reconnect attempt runs
}

// MessageKey identifies a WhatsApp message the way WAREST (Baileys) does.
type MessageKey struct {
	RemoteJID   string `json:"remoteJid"`
	FromMe      bool   `json:"fromMe"`
	ID          string `json:"id"`
	Participant string `json:"participant,omitempty"`
}

// Sender describes who sent an inbound message; both phone JID and LID when known.
type Sender struct {
	ChatID    string `json:"chatId"`
	FromMe    bool   `json:"fromMe"`
	IsGroup   bool   `json:"isGroup"`
	AuthorJID string `json:"authorJid"`
	AuthorLID string `json:"authorLid,omitempty"`
	PushName  string `json:"pushName,omitempty"`
}

// WAMessage is the subset of a WhatsApp message object WAREST receivers read.
type WAMessage struct {
	Key              MessageKey     `json:"key"`
	MessageTimestamp int64          `json:"messageTimestamp"`
	PushName         string         `json:"pushName,omitempty"`
	Message          map[string]any `json:"message"`
}

// MessageReceivedData is the `message_received` payload.
type MessageReceivedData struct {
	ID          string      `json:"id"`
	Tags        string      `json:"tags"`
	Message     WAMessage   `json:"message"`
	Text        string      `json:"text"`
	ContentType string      `json:"contentType"`
	Quoted      *MessageKey `json:"quoted,omitempty"`
	Sender      Sender      `json:"sender"`
	Media       *MediaInfo  `json:"media,omitempty"`
	Mentions    []string    `json:"mentions"`
	Type        string      `json:"type"` // notify (live) or append (history)
}

// Reaction is the `reaction` block of message_reaction.
type Reaction struct {
	Text string     `json:"text"` // "" when the reaction was removed
	Key  MessageKey `json:"key"`  // the message reacted to
}

// MessageReactionData is the `message_reaction` payload.
type MessageReactionData struct {
	ID       string     `json:"id"`
	Key      MessageKey `json:"key"` // the reaction message itself
	Reaction Reaction   `json:"reaction"`
	Sender   Sender     `json:"sender"`
}

// MessageEditedData is the `message_edited` payload.
type MessageEditedData struct {
	ID            string         `json:"id"`
	Key           MessageKey     `json:"key"` // the edited message
	EditedMessage map[string]any `json:"editedMessage"`
	Text          string         `json:"text"`
	Mentions      []string       `json:"mentions"`
	Sender        Sender         `json:"sender"`
}

// MessageRevokedData is the `message_revoked` payload.
type MessageRevokedData struct {
	ID     string     `json:"id"`
	Key    MessageKey `json:"key"` // the revoked message
	Sender Sender     `json:"sender"`
}

// Party renders a person with phone JID and LID.
type Party struct {
	JID      string `json:"jid,omitempty"`
	LID      string `json:"lid,omitempty"`
	PushName string `json:"pushName,omitempty"`
}

// GroupParticipantsData is the payload of group_participants, group_join and group_leave.
type GroupParticipantsData struct {
	ID               string   `json:"id"`
	GroupID          string   `json:"groupId"`
	Participants     []string `json:"participants"`
	ParticipantsInfo []Party  `json:"participantsInfo"`
	Action           string   `json:"action"`
	Author           *Party   `json:"author,omitempty"`
	Timestamp        int64    `json:"timestamp"`
}

// GroupUpdateData is the `group_update` payload; update holds the changed fields only.
type GroupUpdateData struct {
	ID        string         `json:"id"`
	GroupID   string         `json:"groupId"`
	Update    map[string]any `json:"update"`
	Author    *Party         `json:"author,omitempty"`
	Timestamp int64          `json:"timestamp"`
}

// GroupJoinRequestData is the `group_join_request` payload (ours): someone asks to
// join a group the account administers; answer it with
// POST /api/v1/group/participants/request/approve or reject.
type GroupJoinRequestData struct {
	ID            string `json:"id"`
	GroupID       string `json:"groupId"`
	Participant   string `json:"participant"` // the best JID: phone when known, else LID
	Requester     Party  `json:"requester"`
	RequestMethod string `json:"requestMethod"`
	Timestamp     int64  `json:"timestamp"`
}

// PresenceEntry is one participant's presence.
type PresenceEntry struct {
	LastKnownPresence string `json:"lastKnownPresence"`
	LastSeen          int64  `json:"lastSeen,omitempty"`
	LID               string `json:"lid,omitempty"`
}

// Presence is the WhatsApp Web presence object: the chat and its participants.
type Presence struct {
	ID        string                   `json:"id"`
	Presences map[string]PresenceEntry `json:"presences"`
}

// PresenceUpdateData is the `presence_update` payload.
type PresenceUpdateData struct {
	ID       string   `json:"id"`
	Presence Presence `json:"presence"`
}

// CallInfo is one call of the `call` payload.
type CallInfo struct {
	ID      string `json:"id"`
	From    string `json:"from"`
	FromLID string `json:"fromLid,omitempty"`
	Status  string `json:"status"`
	IsVideo bool   `json:"isVideo"`
	IsGroup bool   `json:"isGroup"`
	Date    int64  `json:"date"`
}

// CallData is the `call` payload.
type CallData struct {
	ID    string     `json:"id"`
	Calls []CallInfo `json:"calls"`
}

// CredsUpdateData is the `creds_update` payload: the device was (re)linked.
type CredsUpdateData struct {
	ID string `json:"id"`
	Me *Me    `json:"me,omitempty"`
}

// MessageAckData is our `message_ack` payload: a peer's receipt.
type MessageAckData struct {
	ID         string   `json:"id"`
	Chat       string   `json:"chat"`
	MessageIDs []string `json:"messageIds"`
	Status     string   `json:"status"` // delivered, read or played
	By         Party    `json:"by"`
	Timestamp  int64    `json:"timestamp"`
}

// MessageUndecryptableData is our `message_undecryptable` payload.
type MessageUndecryptableData struct {
	ID        string     `json:"id"`
	Key       MessageKey `json:"key"`
	Sender    Sender     `json:"sender"`
	Timestamp int64      `json:"timestamp"`
}

// HistorySyncData is our `history_sync` payload.
type HistorySyncData struct {
	ID       string                `json:"id"`
	Progress int                   `json:"progress"`
	Count    int                   `json:"count"`
	Messages []MessageReceivedData `json:"messages"`
}

// MessageStatusData is the `message_status` payload (an event WAREST lacks).
type MessageStatusData struct {
	ID        string `json:"id"`
	MessageID string `json:"messageId"`
	To        string `json:"to"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	// FailCode names why a failed message failed (not_paired, not_on_whatsapp,
	// expired...), for receivers that act on it.
	FailCode  string `json:"failCode,omitempty"`
	Timestamp int64  `json:"timestamp"`
}

// SessionHealthData is our `session_health` payload.
type SessionHealthData struct {
	ID        string `json:"id"`
	Health    string `json:"health"` // healthy, degraded or down
	Status    string `json:"status"`
	Code      string `json:"code,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
	RetryInMs int64  `json:"retryInMs,omitempty"`
}

// WebhookDisabledData is our `webhook_disabled` payload.
type WebhookDisabledData struct {
	ID             string `json:"id"`
	SubscriptionID string `json:"subscriptionId"`
	URL            string `json:"url"`
	Failures       int    `json:"failures"`
	Reason         string `json:"reason"`
}

// WebhookActionFailedData is our `webhook_action_failed` payload.
type WebhookActionFailedData struct {
	ID         string `json:"id"`
	DeliveryID string `json:"deliveryId"`
	EventID    string `json:"eventId"`
	Path       string `json:"path,omitempty"` // position of the action in the answer; "" when the answer did not parse
	Action     string `json:"action,omitempty"`
	Error      string `json:"error"`
}

// MessageCommandData is the `message_command` payload: an inbound text that starts
// with a command prefix.
type MessageCommandData struct {
	ID      string     `json:"id"`
	Command string     `json:"command"`
	Prefix  string     `json:"prefix"`
	Args    []string   `json:"args"`
	Text    string     `json:"text"`
	Key     MessageKey `json:"key"`
	Sender  Sender     `json:"sender"`
}
