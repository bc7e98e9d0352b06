package remote

import (
	"context"

	"github.com/warest-go/warest/ports"
)

// table maps each call to the network method it runs.
func (s *Server) table() map[string]func(context.Context, args) (any, error) {
	n := s.net
	noResult := func(err error) (any, error) { return nil, err }
	return map[string]func(context.Context, args) (any, error){
		// ports.Transport
		"start":      func(ctx context.Context, a args) (any, error) { return noResult(s.start(ctx, a)) },
		"pair_phone": func(ctx context.Context, a args) (any, error) { return n.PairPhone(ctx, a.Session, a.Phone) },
		"running":    func(ctx context.Context, a args) (any, error) { return n.Running(ctx, a.Session), nil },
		"stop":       func(ctx context.Context, a args) (any, error) { return noResult(n.Stop(ctx, a.Session)) },
		"logout":     func(ctx context.Context, a args) (any, error) { return noResult(n.Logout(ctx, a.Session)) },
		"device":     func(ctx context.Context, a args) (any, error) { return n.Device(ctx, a.Session) },
		"send":       func(ctx context.Context, a args) (any, error) { return n.Send(ctx, a.Session, a.Message) },
		"mark_read": func(ctx context.Context, a args) (any, error) {
			return noResult(n.MarkRead(ctx, a.Session, a.Chat, a.Sender, a.IDs, a.At))
		},
		"set_presence": func(ctx context.Context, a args) (any, error) { return noResult(n.SetPresence(ctx, a.Session, a.Flag)) },
		"set_chat_presence": func(ctx context.Context, a args) (any, error) {
			return noResult(n.SetChatPresence(ctx, a.Session, a.Chat, ports.ChatState(a.State)))
		},
		"change_message": func(ctx context.Context, a args) (any, error) {
			return noResult(n.ChangeMessage(ctx, a.Session, a.Target, a.MessageChange))
		},
		"change_chat": func(ctx context.Context, a args) (any, error) {
			return noResult(n.ChangeChat(ctx, a.Session, a.Chat, a.ChatChange))
		},

		// a Client going away: taking its sessions over is no fight
		"detach": func(_ context.Context, a args) (any, error) {
			n.Detach(a.Client)
			return nil, nil
		},

		// ports.SandboxNetwork
		"current_qr": func(_ context.Context, a args) (any, error) {
			code, ok := n.CurrentQR(a.Session)
			return qrResult{Code: code, OK: ok}, nil
		},
		"scan": func(_ context.Context, a args) (any, error) {
			return noResult(n.Scan(a.Session, a.QR, a.Phone, a.PushName))
		},
		"confirm_pair_code": func(_ context.Context, a args) (any, error) { return noResult(n.ConfirmPairCode(a.Session, a.Code)) },
		"add_contact":       func(_ context.Context, a args) (any, error) { return n.AddContact(a.Contact) },
		"virtual_contacts":  func(context.Context, args) (any, error) { return n.VirtualContacts(), nil },
		"inject":            func(_ context.Context, a args) (any, error) { return n.Inject(a.Session, a.Inbound) },
		"contact_read": func(_ context.Context, a args) (any, error) {
			return noResult(n.ContactRead(a.Session, a.Phone, a.IDs, a.Flag))
		},
		"contact_presence": func(_ context.Context, a args) (any, error) {
			return noResult(n.ContactPresence(a.Session, a.Phone, a.Presence))
		},
		"create_virtual_group": func(_ context.Context, a args) (any, error) { return n.CreateVirtualGroup(a.Session, a.Group) },
		"contact_join_group":   func(_ context.Context, a args) (any, error) { return n.ContactJoinGroup(a.Phone, a.Text) },
		"contact_call":         func(_ context.Context, a args) (any, error) { return n.ContactCall(a.Session, a.Call) },
		"history_sync":         func(_ context.Context, a args) (any, error) { return n.HistorySync(a.Session, a.History) },
		"undecryptable":        func(_ context.Context, a args) (any, error) { return n.Undecryptable(a.Session, a.Undecryptable) },
		"sent":                 func(_ context.Context, a args) (any, error) { return n.Sent(a.Session), nil },
		"attempts":             func(_ context.Context, a args) (any, error) { return n.Attempts(a.Session), nil },
		"replacements":         func(context.Context, args) (any, error) { return n.Replacements(), nil },
		"connections":          func(context.Context, args) (any, error) { return n.Connections(), nil },
		"account_state":        func(_ context.Context, a args) (any, error) { return n.AccountState(a.Session) },
		"disconnect":           func(_ context.Context, a args) (any, error) { return noResult(n.Disconnect(a.Session)) },
		"remote_logout":        func(_ context.Context, a args) (any, error) { return noResult(n.RemoteLogout(a.Session, a.Reason)) },
		"replace_stream":       func(_ context.Context, a args) (any, error) { return noResult(n.ReplaceStream(a.Session)) },
		"set_faults":           func(_ context.Context, a args) (any, error) { return noResult(n.SetFaults(a.Session, a.Faults)) },

		// ports.Groups
		"create_group":  func(ctx context.Context, a args) (any, error) { return n.CreateGroup(ctx, a.Session, a.GroupSpec) },
		"group_info":    func(ctx context.Context, a args) (any, error) { return n.GroupInfo(ctx, a.Session, a.Chat) },
		"joined_groups": func(ctx context.Context, a args) (any, error) { return n.JoinedGroups(ctx, a.Session) },
		"change_participants": func(ctx context.Context, a args) (any, error) {
			return n.ChangeParticipants(ctx, a.Session, a.Chat, a.GroupAction, a.Who)
		},
		"change_group": func(ctx context.Context, a args) (any, error) {
			return noResult(n.ChangeGroup(ctx, a.Session, a.Chat, a.GroupChange))
		},
		"invite_link": func(ctx context.Context, a args) (any, error) { return n.InviteLink(ctx, a.Session, a.Chat, a.Flag) },
		"join_with_link": func(ctx context.Context, a args) (any, error) {
			g, pending, err := n.JoinWithLink(ctx, a.Session, a.Text)
			return joinResult{Group: g, Pending: pending}, err
		},
		"join_requests": func(ctx context.Context, a args) (any, error) { return n.JoinRequests(ctx, a.Session, a.Chat) },
		"answer_join_requests": func(ctx context.Context, a args) (any, error) {
			return n.AnswerJoinRequests(ctx, a.Session, a.Chat, a.Flag, a.Who)
		},
		"leave_group": func(ctx context.Context, a args) (any, error) { return noResult(n.LeaveGroup(ctx, a.Session, a.Chat)) },
		"group_invite_preview": func(ctx context.Context, a args) (any, error) {
			return n.GroupInvitePreview(ctx, a.Session, a.Text)
		},
		"set_group_picture": func(ctx context.Context, a args) (any, error) {
			return n.SetGroupPicture(ctx, a.Session, a.Chat, a.Bytes)
		},
		"group_picture": func(ctx context.Context, a args) (any, error) {
			id, url, err := n.GroupPicture(ctx, a.Session, a.Chat)
			return pictureResult{ID: id, URL: url}, err
		},

		// ports.Profiles
		"profile":       func(ctx context.Context, a args) (any, error) { return n.Profile(ctx, a.Session, a.Chat) },
		"set_push_name": func(ctx context.Context, a args) (any, error) { return noResult(n.SetPushName(ctx, a.Session, a.Text)) },
		"set_about":     func(ctx context.Context, a args) (any, error) { return noResult(n.SetAbout(ctx, a.Session, a.Text)) },
		"set_picture":   func(ctx context.Context, a args) (any, error) { return n.SetPicture(ctx, a.Session, a.Bytes) },
		"picture":       func(ctx context.Context, a args) (any, error) { return n.Picture(ctx, a.Session, a.Chat, a.Flag) },
		"privacy":       func(ctx context.Context, a args) (any, error) { return n.Privacy(ctx, a.Session) },
		"set_privacy":   func(ctx context.Context, a args) (any, error) { return n.SetPrivacy(ctx, a.Session, a.Privacy) },
		"set_business_profile": func(ctx context.Context, a args) (any, error) {
			return noResult(n.SetBusinessProfile(ctx, a.Session, a.Business))
		},

		// ports.Contacts
		"is_on_whatsapp": func(ctx context.Context, a args) (any, error) { return n.IsOnWhatsApp(ctx, a.Session, a.Phones) },
		"identify":       func(ctx context.Context, a args) (any, error) { return n.Identify(ctx, a.Session, a.Chat) },
		"contacts":       func(ctx context.Context, a args) (any, error) { return n.Contacts(ctx, a.Session) },
		"subscribe_presence": func(ctx context.Context, a args) (any, error) {
			return noResult(n.SubscribePresence(ctx, a.Session, a.Chat))
		},

		// ports.Calls
		"reject_call": func(ctx context.Context, a args) (any, error) {
			return noResult(n.RejectCall(ctx, a.Session, a.Sender, a.Text))
		},
	}
}
