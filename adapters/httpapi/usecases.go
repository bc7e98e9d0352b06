package httpapi

import (
	"context"
	"time"

	authz "github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// The HTTP layer's view of the application: one narrow interface per group of use
// cases it drives, holding only the methods the handlers call. The handlers depend on
// these, not on the application's concrete types, so a handler can be tested with a
// fake of just what it uses.

// useCases are the commands the handlers issue.
type useCases struct {
	Actions       actionsCommands
	Chats         chatsCommands
	Logins        loginsCommands
	Quotas        quotasCommands
	Sending       sendingCommands
	Sessions      sessionsCommands
	Subscriptions subscriptionsCommands
	Teardown      teardownCommands
	Users         usersCommands
	Webhook       webhookCommands
	Groups        groupsCommands
	GroupMembers  groupMembersCommands
	Profiles      profilesCommands
	Presence      presenceCommands
	Calls         callsCommands
	MiscCodes     miscCodesCommands
	MiscCrypto    miscCryptoCommands
	MiscAddresses miscAddressesCommands
	MiscMedia     miscMediaCommands
	MiscIDs       miscIDsCommands
	Caps          func(account.User) account.Caps // the caller's caps, defaults applied
}

// reads are the queries the handlers ask.
type reads struct {
	Accounts   accountsQueries
	Events     eventsQueries
	Principals principalsQueries
	Sessions   sessionsQueries
	System     systemQueries
	Webhooks   webhooksQueries
	Groups     groupsQueries
	Profiles   profilesQueries
	Chats      chatsQueries
	Contacts   contactsQueries
	Media      mediaQueries
}

// useCasesOf narrows the application's commands to what the handlers use.
func useCasesOf(c *command.Commands) useCases {
	return useCases{Actions: c.Actions, Chats: c.Chats, Logins: c.Logins, Quotas: c.Quotas, Sending: c.Sending, Sessions: c.Sessions,
		Subscriptions: c.Subscriptions, Teardown: c.Teardown, Users: c.Users, Webhook: c.Webhook, Caps: c.Caps,
		Groups: c.Groups, GroupMembers: c.GroupMembers, Profiles: c.Profiles, Presence: c.Presence, Calls: c.Calls,
		MiscCodes: c.MiscCodes, MiscCrypto: c.MiscCrypto, MiscAddresses: c.MiscAddresses, MiscMedia: c.MiscMedia, MiscIDs: c.MiscIDs}
}

// readsOf narrows the application's queries to what the handlers use.
func readsOf(q *query.Queries) reads {
	return reads{Accounts: q.Accounts, Events: q.Events, Principals: q.Principals, Sessions: q.Sessions, System: q.System,
		Webhooks: q.Webhooks, Groups: q.Groups, Profiles: q.Profiles, Contacts: q.Contacts, Chats: q.Chats, Media: q.Media}
}

// actionsCommands changes messages and chats.
type actionsCommands interface {
	ActOnChat(ctx context.Context, p account.Principal, in command.ChatActionInput) ([]command.ActionResult, error)
	ActOnMessage(ctx context.Context, p account.Principal, in command.MessageActionInput) (command.ActionResult, error)
}

// chatsCommands marks chats read and pins chats and messages.
type chatsCommands interface {
	MarkRead(ctx context.Context, p account.Principal, in command.ChatReadInput) (command.ChatReadResult, error)
	PinChat(ctx context.Context, p account.Principal, sessionID, chatID string, pin bool) (command.ChatPinResult, error)
	PinMessage(ctx context.Context, p account.Principal, sessionID, chatID, messageID string, pin bool) (command.ChatPinResult, error)
	SetHistoryRetention(ctx context.Context, p account.Principal, sessionID string, days int) (int, error)
}

// chatsQueries read the chat history.
type chatsQueries interface {
	List(ctx context.Context, p account.Principal, in query.ChatListInput) (query.ChatList, error)
	Messages(ctx context.Context, p account.Principal, in query.ChatMessagesInput) (query.ChatMessages, error)
}

// loginsCommands starts and ends login sessions.
type loginsCommands interface {
	Login(ctx context.Context, username, password, client string) (command.LoginResult, error)
	Logout(ctx context.Context, p account.Principal) error
}

// quotasCommands reports the send quota.
type quotasCommands interface {
	Throttle(ctx context.Context, p account.Principal, quota bool) (command.ThrottleState, error)
}

// sendingCommands queues messages.
type sendingCommands interface {
	Phone(raw string) string
	SendCounted(ctx context.Context, p account.Principal, in command.SendInput) ([]command.SendResult, command.ThrottleState, error)
	SendMedia(ctx context.Context, p account.Principal, in command.SendMediaInput) ([]command.SendResult, error)
	SendWithHeaderImage(ctx context.Context, p account.Principal, in command.SendInput, image command.MediaSource) ([]command.SendResult, command.ThrottleState, error)
}

// sessionsCommands starts sessions.
type sessionsCommands interface {
	CreateSession(ctx context.Context, p account.Principal, id string) (command.CreateResult, error)
	PairSession(ctx context.Context, p account.Principal, id, phone string) (command.CreateResult, error)
	ReconnectSession(ctx context.Context, p account.Principal, id string) error
}

// subscriptionsCommands manages webhook subscriptions.
type subscriptionsCommands interface {
	CreateSubscription(ctx context.Context, p account.Principal, in command.SubscriptionInput) (webhook.Subscription, error)
	DeleteSubscription(ctx context.Context, p account.Principal, id string) error
	Redeliver(ctx context.Context, p account.Principal, deliveryID string) (webhook.Delivery, error)
	RedeliverMatching(ctx context.Context, p account.Principal, f ports.DeliveryFilter) (int, error)
	RotateSubscriptionSecret(ctx context.Context, p account.Principal, id, secret string, overlap time.Duration) (webhook.Subscription, error)
	UpdateSubscription(ctx context.Context, p account.Principal, id string, patch command.SubscriptionPatch) (webhook.Subscription, error)
}

// teardownCommands logs out and deletes sessions.
type teardownCommands interface {
	DeleteSession(ctx context.Context, p account.Principal, id string) (command.Steps, error)
	LogoutSession(ctx context.Context, p account.Principal, id string) (command.Steps, error)
}

// usersCommands manages accounts and keys.
type usersCommands interface {
	CreateUser(ctx context.Context, p account.Principal, username, password string, role account.Role) (account.User, error)
	IssueKey(ctx context.Context, p account.Principal, userID, name string) (string, account.APIKey, error)
	RevokeKey(ctx context.Context, p account.Principal, userID, keyID string) error
	SetUserLimits(ctx context.Context, p account.Principal, userID string, l account.Limits) (account.User, error)
}

// webhookCommands configures a session's webhook.
type webhookCommands interface {
	ConfigureWebhook(ctx context.Context, p account.Principal, id string, in command.WebhookInput, ws command.WebhookSettings) (*session.Session, error)
	PreflightWebhook(ctx context.Context, p account.Principal, sessionID, url, secret string, ws command.WebhookSettings) (command.PreflightResult, error)
}

// groupsCommands creates, changes, leaves and disbands groups.
type groupsCommands interface {
	CreateGroup(ctx context.Context, p account.Principal, sessionID, name string, participants []string) (authz.GroupRef, ports.GroupInfo, error)
	ChangeGroup(ctx context.Context, p account.Principal, sessionID, group string, c ports.GroupChange) (authz.GroupRef, error)
	SetGroupPicture(ctx context.Context, p account.Principal, sessionID, group string, src *command.MediaSource) (authz.GroupRef, string, error)
	LeaveGroup(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, error)
	DisbandGroup(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, []ports.ParticipantResult, error)
}

// groupMembersCommands changes who is in a group.
type groupMembersCommands interface {
	ChangeParticipants(ctx context.Context, p account.Principal, sessionID, group string, action ports.GroupAction, who []string) (authz.GroupRef, []ports.ParticipantResult, error)
	AnswerJoinRequests(ctx context.Context, p account.Principal, sessionID, group string, approve bool, who []string) (authz.GroupRef, []ports.ParticipantResult, error)
	ResetInvite(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, string, error)
	JoinGroup(ctx context.Context, p account.Principal, sessionID, link string) (authz.GroupRef, bool, error)
}

// groupsQueries reads groups.
type groupsQueries interface {
	JoinedGroups(ctx context.Context, p account.Principal, sessionID string) (authz.GroupRef, []ports.GroupInfo, error)
	GroupInfo(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, ports.GroupInfo, error)
	GroupPicture(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, string, error)
	InviteLink(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, string, error)
	InvitePreview(ctx context.Context, p account.Principal, sessionID, link string) (authz.GroupRef, ports.GroupInfo, error)
	JoinRequests(ctx context.Context, p account.Principal, sessionID, group string) (authz.GroupRef, []ports.JoinRequest, error)
}

// accountsQueries lists accounts and keys.
type accountsQueries interface {
	Keys(ctx context.Context, p account.Principal, userID string) ([]account.APIKey, error)
	Users(ctx context.Context, p account.Principal) ([]account.User, error)
}

// eventsQueries reads events.
type eventsQueries interface {
	Events(ctx context.Context, p account.Principal, sessionIDs []string, after int64, limit int) (query.EventPage, error)
	ParkedEvents(ctx context.Context, p account.Principal, limit int) ([]event.Parked, error)
}

// principalsQueries resolves keys to callers.
type principalsQueries interface {
	Authenticate(ctx context.Context, plainKey string) (account.Principal, error)
	Principal(ctx context.Context, userID, keyID string) (account.Principal, error)
}

// sessionsQueries reads sessions.
type sessionsQueries interface {
	Device(ctx context.Context, p account.Principal, id string) (ports.DeviceInfo, error)
	Message(ctx context.Context, p account.Principal, sessionID, id string) (message.Outbound, error)
	Session(ctx context.Context, p account.Principal, id string) (*session.Session, error)
	Sessions(ctx context.Context, p account.Principal) ([]*session.Session, error)
}

// systemQueries reports health.
type systemQueries interface {
	Health(ctx context.Context) query.Health
}

// webhooksQueries reads subscriptions and deliveries.
type webhooksQueries interface {
	Deliveries(ctx context.Context, p account.Principal, f ports.DeliveryFilter) ([]webhook.Delivery, error)
	Delivery(ctx context.Context, p account.Principal, id string) (webhook.Delivery, error)
	Subscription(ctx context.Context, p account.Principal, id string) (webhook.Subscription, error)
	Subscriptions(ctx context.Context, p account.Principal, sessionID string) ([]webhook.Subscription, error)
}

// profilesCommands changes the account's profile picture.
type profilesCommands interface {
	SetPicture(ctx context.Context, p account.Principal, sessionID string, src command.MediaSource) (ports.Picture, error)
	DeletePicture(ctx context.Context, p account.Principal, sessionID string) error
}

// presenceCommands shows the account's presence and subscribes to others'.
type presenceCommands interface {
	SetPresence(ctx context.Context, p account.Principal, in command.PresenceInput) error
	SubscribePresence(ctx context.Context, p account.Principal, sessionID, who string) error
}

// callsCommands turns down calls and sets the session's call policy.
type callsCommands interface {
	RejectCall(ctx context.Context, p account.Principal, sessionID, callID, from string) error
	CallPolicy(ctx context.Context, p account.Principal, sessionID string) (session.CallPolicy, error)
	SetCallPolicy(ctx context.Context, p account.Principal, sessionID string, policy session.CallPolicy) (session.CallPolicy, error)
}

// profilesQueries reads the account's own profile, picture and privacy.
type profilesQueries interface {
	Profile(ctx context.Context, p account.Principal, sessionID string) (query.ProfileView, error)
	Picture(ctx context.Context, p account.Principal, sessionID string) (query.PictureView, error)
	Privacy(ctx context.Context, p account.Principal, sessionID string) (string, ports.Privacy, error)
}

// contactsQueries reads contacts and looks up other numbers.
type contactsQueries interface {
	Contacts(ctx context.Context, p account.Principal, sessionID string, in query.ContactsQuery) (string, []query.Person, error)
	OnWhatsApp(ctx context.Context, p account.Principal, sessionID string, numbers []string, deep bool) ([]query.Person, error)
	BusinessProfiles(ctx context.Context, p account.Principal, sessionID string, numbers []string) ([]query.Person, error)
	Identify(ctx context.Context, p account.Principal, sessionID string, who chat.JID) (chat.Party, error)
}

// miscCodesCommands draw QR codes and encode and decode base64.
type miscCodesCommands interface {
	QR(ctx context.Context, text, encoding, target, mode string) (command.MiscOutput, error)
	Base64(ctx context.Context, action, input, output string) (command.MiscOutput, error)
}

// miscCryptoCommands decrypt WhatsApp media and poll votes.
type miscCryptoCommands interface {
	DecryptFile(ctx context.Context, in command.DecryptFileInput) (command.MiscOutput, error)
	PollVote(ctx context.Context, p account.Principal, in command.PollVoteInput) (command.PollVoteResult, error)
}

// miscAddressesCommands check phone numbers, JIDs and LIDs.
type miscAddressesCommands interface {
	ValidatePhone(ctx context.Context, p account.Principal, sessionID, phone, country string) (command.Address, error)
	ValidateJID(ctx context.Context, p account.Principal, sessionID, jid string) (command.Address, error)
	Resolve(ctx context.Context, p account.Principal, sessionID, input string) (command.Address, error)
}

// miscMediaCommands make thumbnails and edit images.
type miscMediaCommands interface {
	Thumbnails(ctx context.Context, in command.ThumbnailInput) ([]command.Thumbnail, error)
	EditImage(ctx context.Context, in command.ImageInput) (command.ImageResult, error)
}

// miscIDsCommands are the pure helpers: identifiers, hashes and HMACs.
type miscIDsCommands interface {
	UUIDs(in command.UUIDInput) ([]string, error)
	ValidateID(typ, value string) (command.IDCheck, error)
	Hash(algo, input, output string) (string, error)
	HMAC(algo, key, input, output string) (string, error)
}

// mediaQueries streams messages' files.
type mediaQueries interface {
	MessageMedia(ctx context.Context, p account.Principal, sessionID, id string) (query.MediaFile, error)
}
