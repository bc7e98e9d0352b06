package remote

import (
	"context"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// The rest of the ports, one call each.

func (c *Client) PairPhone(ctx context.Context, sessionID, phone string) (string, error) {
	return call[string](ctx, c, "pair_phone", args{Session: sessionID, Phone: phone})
}

// Running asks the network; a client that cannot reach it runs nothing there.
func (c *Client) Running(ctx context.Context, sessionID string) bool {
	running, err := call[bool](ctx, c, "running", args{Session: sessionID})
	return err == nil && running
}

func (c *Client) Stop(ctx context.Context, sessionID string) error {
	return none(call[struct{}](ctx, c, "stop", args{Session: sessionID}))
}

func (c *Client) Logout(ctx context.Context, sessionID string) error {
	return none(call[struct{}](ctx, c, "logout", args{Session: sessionID}))
}

func (c *Client) Device(ctx context.Context, sessionID string) (ports.DeviceInfo, error) {
	return call[ports.DeviceInfo](ctx, c, "device", args{Session: sessionID})
}

func (c *Client) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	return call[ports.SendReceipt](ctx, c, "send", args{Session: sessionID, Message: m})
}

func (c *Client) MarkRead(ctx context.Context, sessionID string, chatJID, sender chat.JID, ids []string, at time.Time) error {
	return none(call[struct{}](ctx, c, "mark_read", args{Session: sessionID, Chat: chatJID, Sender: sender, IDs: ids, At: at}))
}

func (c *Client) SetPresence(ctx context.Context, sessionID string, available bool) error {
	return none(call[struct{}](ctx, c, "set_presence", args{Session: sessionID, Flag: available}))
}

func (c *Client) SetChatPresence(ctx context.Context, sessionID string, to chat.JID, state ports.ChatState) error {
	return none(call[struct{}](ctx, c, "set_chat_presence", args{Session: sessionID, Chat: to, State: string(state)}))
}

func (c *Client) ChangeMessage(ctx context.Context, sessionID string, target message.Reference, change ports.MessageChange) error {
	return none(call[struct{}](ctx, c, "change_message", args{Session: sessionID, Target: target, MessageChange: change}))
}

func (c *Client) ChangeChat(ctx context.Context, sessionID string, to chat.JID, change ports.ChatChange) error {
	return none(call[struct{}](ctx, c, "change_chat", args{Session: sessionID, Chat: to, ChatChange: change}))
}

func (c *Client) CurrentQR(sessionID string) (string, bool) {
	r, err := control[qrResult](c, "current_qr", args{Session: sessionID})
	return r.Code, err == nil && r.OK
}

func (c *Client) Scan(sessionID, qrCode, phone, pushName string) error {
	return none(control[struct{}](c, "scan", args{Session: sessionID, QR: qrCode, Phone: phone, PushName: pushName}))
}

func (c *Client) ConfirmPairCode(sessionID, code string) error {
	return none(control[struct{}](c, "confirm_pair_code", args{Session: sessionID, Code: code}))
}

func (c *Client) AddContact(ct ports.SandboxContact) (ports.SandboxContact, error) {
	return control[ports.SandboxContact](c, "add_contact", args{Contact: ct})
}

// VirtualContacts is empty when the network cannot be reached.
func (c *Client) VirtualContacts() []ports.SandboxContact {
	out, _ := control[[]ports.SandboxContact](c, "virtual_contacts", args{})
	return out
}

func (c *Client) Inject(sessionID string, in ports.SandboxInbound) (string, error) {
	return control[string](c, "inject", args{Session: sessionID, Inbound: in})
}

func (c *Client) ContactRead(sessionID, phone string, ids []string, played bool) error {
	return none(control[struct{}](c, "contact_read", args{Session: sessionID, Phone: phone, IDs: ids, Flag: played}))
}

func (c *Client) ContactPresence(sessionID, phone string, p ports.SandboxPresence) error {
	return none(control[struct{}](c, "contact_presence", args{Session: sessionID, Phone: phone, Presence: p}))
}

func (c *Client) CreateVirtualGroup(sessionID string, g ports.SandboxGroup) (ports.GroupInfo, error) {
	return control[ports.GroupInfo](c, "create_virtual_group", args{Session: sessionID, Group: g})
}

func (c *Client) ContactJoinGroup(phone, link string) (bool, error) {
	return control[bool](c, "contact_join_group", args{Phone: phone, Text: link})
}

func (c *Client) ContactCall(sessionID string, call ports.SandboxCall) (string, error) {
	return control[string](c, "contact_call", args{Session: sessionID, Call: call})
}

func (c *Client) HistorySync(sessionID string, h ports.SandboxHistory) ([]string, error) {
	return control[[]string](c, "history_sync", args{Session: sessionID, History: h})
}

func (c *Client) Undecryptable(sessionID string, u ports.SandboxUndecryptable) (string, error) {
	return control[string](c, "undecryptable", args{Session: sessionID, Undecryptable: u})
}

// Sent is empty when the network cannot be reached.
func (c *Client) Sent(sessionID string) []message.Outbound {
	out, _ := control[[]message.Outbound](c, "sent", args{Session: sessionID})
	return out
}

// Attempts is empty when the network cannot be reached.
func (c *Client) Attempts(sessionID string) []ports.SandboxSendAttempt {
	out, _ := control[[]ports.SandboxSendAttempt](c, "attempts", args{Session: sessionID})
	return out
}

func (c *Client) Connections() []ports.SandboxConnection {
	out, _ := control[[]ports.SandboxConnection](c, "connections", args{})
	return out
}

func (c *Client) Replacements() []ports.SandboxReplacement {
	out, _ := control[[]ports.SandboxReplacement](c, "replacements", args{})
	return out
}

func (c *Client) AccountState(sessionID string) (ports.SandboxAccountState, error) {
	return control[ports.SandboxAccountState](c, "account_state", args{Session: sessionID})
}

func (c *Client) Disconnect(sessionID string) error {
	return none(control[struct{}](c, "disconnect", args{Session: sessionID}))
}

func (c *Client) RemoteLogout(sessionID, reason string) error {
	return none(control[struct{}](c, "remote_logout", args{Session: sessionID, Reason: reason}))
}

func (c *Client) ReplaceStream(sessionID string) error {
	return none(control[struct{}](c, "replace_stream", args{Session: sessionID}))
}

func (c *Client) SetFaults(sessionID string, f ports.SandboxFaults) error {
	return none(control[struct{}](c, "set_faults", args{Session: sessionID, Faults: f}))
}

func (c *Client) CreateGroup(ctx context.Context, sessionID string, spec ports.GroupSpec) (ports.GroupInfo, error) {
	return call[ports.GroupInfo](ctx, c, "create_group", args{Session: sessionID, GroupSpec: spec})
}

func (c *Client) GroupInfo(ctx context.Context, sessionID string, group chat.JID) (ports.GroupInfo, error) {
	return call[ports.GroupInfo](ctx, c, "group_info", args{Session: sessionID, Chat: group})
}

func (c *Client) JoinedGroups(ctx context.Context, sessionID string) ([]ports.GroupInfo, error) {
	return call[[]ports.GroupInfo](ctx, c, "joined_groups", args{Session: sessionID})
}

func (c *Client) ChangeParticipants(ctx context.Context, sessionID string, group chat.JID, action ports.GroupAction, who []chat.JID) ([]ports.ParticipantResult, error) {
	return call[[]ports.ParticipantResult](ctx, c, "change_participants", args{Session: sessionID, Chat: group, GroupAction: action, Who: who})
}

func (c *Client) ChangeGroup(ctx context.Context, sessionID string, group chat.JID, change ports.GroupChange) error {
	return none(call[struct{}](ctx, c, "change_group", args{Session: sessionID, Chat: group, GroupChange: change}))
}

func (c *Client) InviteLink(ctx context.Context, sessionID string, group chat.JID, reset bool) (string, error) {
	return call[string](ctx, c, "invite_link", args{Session: sessionID, Chat: group, Flag: reset})
}

func (c *Client) JoinWithLink(ctx context.Context, sessionID, link string) (chat.JID, bool, error) {
	r, err := call[joinResult](ctx, c, "join_with_link", args{Session: sessionID, Text: link})
	return r.Group, r.Pending, err
}

func (c *Client) JoinRequests(ctx context.Context, sessionID string, group chat.JID) ([]ports.JoinRequest, error) {
	return call[[]ports.JoinRequest](ctx, c, "join_requests", args{Session: sessionID, Chat: group})
}

func (c *Client) GroupInvitePreview(ctx context.Context, sessionID, link string) (ports.GroupInfo, error) {
	return call[ports.GroupInfo](ctx, c, "group_invite_preview", args{Session: sessionID, Text: link})
}

func (c *Client) SetGroupPicture(ctx context.Context, sessionID string, group chat.JID, image []byte) (string, error) {
	return call[string](ctx, c, "set_group_picture", args{Session: sessionID, Chat: group, Bytes: image})
}

func (c *Client) GroupPicture(ctx context.Context, sessionID string, group chat.JID) (string, string, error) {
	r, err := call[pictureResult](ctx, c, "group_picture", args{Session: sessionID, Chat: group})
	return r.ID, r.URL, err
}

func (c *Client) AnswerJoinRequests(ctx context.Context, sessionID string, group chat.JID, approve bool, who []chat.JID) ([]ports.ParticipantResult, error) {
	return call[[]ports.ParticipantResult](ctx, c, "answer_join_requests", args{Session: sessionID, Chat: group, Flag: approve, Who: who})
}

func (c *Client) LeaveGroup(ctx context.Context, sessionID string, group chat.JID) error {
	return none(call[struct{}](ctx, c, "leave_group", args{Session: sessionID, Chat: group}))
}

func (c *Client) Profile(ctx context.Context, sessionID string, who chat.JID) (ports.Profile, error) {
	return call[ports.Profile](ctx, c, "profile", args{Session: sessionID, Chat: who})
}

func (c *Client) SetPushName(ctx context.Context, sessionID, name string) error {
	return none(call[struct{}](ctx, c, "set_push_name", args{Session: sessionID, Text: name}))
}

func (c *Client) SetAbout(ctx context.Context, sessionID, about string) error {
	return none(call[struct{}](ctx, c, "set_about", args{Session: sessionID, Text: about}))
}

func (c *Client) SetPicture(ctx context.Context, sessionID string, image []byte) (string, error) {
	return call[string](ctx, c, "set_picture", args{Session: sessionID, Bytes: image})
}

func (c *Client) Privacy(ctx context.Context, sessionID string) (ports.Privacy, error) {
	return call[ports.Privacy](ctx, c, "privacy", args{Session: sessionID})
}

func (c *Client) SetPrivacy(ctx context.Context, sessionID string, p ports.Privacy) (ports.Privacy, error) {
	return call[ports.Privacy](ctx, c, "set_privacy", args{Session: sessionID, Privacy: p})
}

func (c *Client) SetBusinessProfile(ctx context.Context, sessionID string, b *ports.BusinessProfile) error {
	return none(call[struct{}](ctx, c, "set_business_profile", args{Session: sessionID, Business: b}))
}

func (c *Client) IsOnWhatsApp(ctx context.Context, sessionID string, phones []string) ([]ports.OnWhatsApp, error) {
	return call[[]ports.OnWhatsApp](ctx, c, "is_on_whatsapp", args{Session: sessionID, Phones: phones})
}

func (c *Client) Identify(ctx context.Context, sessionID string, who chat.JID) (chat.Party, error) {
	return call[chat.Party](ctx, c, "identify", args{Session: sessionID, Chat: who})
}

func (c *Client) Contacts(ctx context.Context, sessionID string) ([]chat.Party, error) {
	return call[[]chat.Party](ctx, c, "contacts", args{Session: sessionID})
}

func (c *Client) SubscribePresence(ctx context.Context, sessionID string, who chat.JID) error {
	return none(call[struct{}](ctx, c, "subscribe_presence", args{Session: sessionID, Chat: who}))
}

func (c *Client) Picture(ctx context.Context, sessionID string, who chat.JID, preview bool) (ports.Picture, error) {
	return call[ports.Picture](ctx, c, "picture", args{Session: sessionID, Chat: who, Flag: preview})
}

func (c *Client) RejectCall(ctx context.Context, sessionID string, from chat.JID, callID string) error {
	return none(call[struct{}](ctx, c, "reject_call", args{Session: sessionID, Sender: from, Text: callID}))
}

// none keeps only the error of a call without a result.
func none(_ struct{}, err error) error { return err }
