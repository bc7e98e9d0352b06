package whatsmeow

import (
	"time"

	wm "go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waWeb"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// view is what mapping an event needs beyond the event itself. With it, toEvents is a
// pure function: the adapter fills it from the client and its stores.
type view struct {
	session     string
	me          session.Identity
	now         time.Time
	alt         func(types.JID) types.JID // the other address of a person (phone ↔ LID); nil when unknown
	vote        *waE2E.PollVoteMessage    // the decrypted vote, when the event is a poll update
	pollOptions func(pollID string) []string
	historyMax  int // messages kept from one history sync chunk
}

// toEvents maps one whatsmeow event to what the transport reports. Connection events
// that only steer the reconnect loop (Disconnected, keepalive, failures) map to nothing
// here; see toSignal.
func toEvents(v view, evt any) []ports.TransportEvent {
	switch e := evt.(type) {
	case *events.Message:
		if m, ok := v.toInbound(e, false); ok {
			return one(ports.TransportMessage{Message: m})
		}
	case *events.Receipt:
		if st, ok := receiptStatus(e.Type); ok {
			sender := v.party(e.Sender, e.SenderAlt, "")
			return one(ports.TransportReceipt{SessionID: v.session, Chat: v.chatOf(e.Chat, sender), Sender: sender,
				IDs: append([]string(nil), e.MessageIDs...), Status: st, At: e.Timestamp.UTC()})
		}
	case *events.Presence:
		return one(ports.TransportPresence{SessionID: v.session, From: v.party(e.From, types.EmptyJID, ""), Available: !e.Unavailable, LastSeen: utc(e.LastSeen)})
	case *events.ChatPresence:
		state := ports.ChatPaused
		if e.State == types.ChatPresenceComposing {
			state = ports.ChatComposing
			if e.Media == types.ChatPresenceMediaAudio {
				state = ports.ChatRecording
			}
		}
		from := v.party(e.Sender, e.SenderAlt, "")
		return one(ports.TransportChatPresence{SessionID: v.session, Chat: v.chatOf(e.Chat, from), From: from, State: state})
	case *events.GroupInfo:
		return v.groupInfo(e)
	case *events.JoinedGroup:
		j := ports.TransportJoinedGroup{SessionID: v.session, Group: toDomain(e.JID), Name: e.Name, At: v.now.UTC()}
		for _, p := range e.Participants {
			j.Participants = append(j.Participants, v.party(p.PhoneNumber, p.LID, p.DisplayName))
		}
		return one(j)
	case *events.CallOffer:
		return one(v.call(e.BasicCallMeta, ports.CallOffer, hasChild(e.Data, "video")))
	case *events.CallOfferNotice:
		c := v.call(e.BasicCallMeta, ports.CallOffer, false)
		c.Video, c.Group = e.Media == "video", c.Group || e.Type == "group"
		return one(c)
	case *events.CallAccept:
		return one(v.call(e.BasicCallMeta, ports.CallAccept, false))
	case *events.CallReject:
		return one(v.call(e.BasicCallMeta, ports.CallReject, false))
	case *events.CallTerminate:
		return one(v.call(e.BasicCallMeta, ports.CallTerminate, false))
	case *events.HistorySync:
		return one(v.history(e))
	case *events.UndecryptableMessage:
		sender := v.party(e.Info.Sender, e.Info.SenderAlt, e.Info.PushName)
		return one(ports.TransportUndecryptable{SessionID: v.session, Chat: v.chatOf(e.Info.Chat, sender),
			Sender: sender, ID: e.Info.ID, At: e.Info.Timestamp.UTC()})
	case *events.Connected:
		return one(ports.TransportConnected{SessionID: v.session, Me: v.me})
	case *events.PairSuccess:
		me := session.Identity{JID: toDomain(e.ID).String(), Name: e.BusinessName}
		if !e.LID.IsEmpty() {
			me.LID = toDomain(e.LID).String()
		}
		return one(ports.TransportPaired{SessionID: v.session, Me: me, Platform: e.Platform})
	case *events.LoggedOut:
		return one(ports.TransportLoggedOut{SessionID: v.session, Reason: e.Reason.String()})
	case *events.StreamReplaced:
		return one(ports.TransportReplaced{SessionID: v.session})
	}
	return nil
}

// hasChild reports whether a call node announces the given medium.
func hasChild(n *waBinary.Node, tag string) bool { return n != nil && len(n.GetChildrenByTag(tag)) > 0 }

func one(e ports.TransportEvent) []ports.TransportEvent { return []ports.TransportEvent{e} }

// toInbound maps a message event; ok is false when it carries nothing to report.
func (v view) toInbound(e *events.Message, history bool) (message.Inbound, bool) {
	raw := e.Message
	if raw == nil {
		raw = e.RawMessage
	}
	m, wrappedViewOnce := unwrap(raw)
	if m == nil {
		return message.Inbound{}, false
	}
	c := contentCtx{v: v, info: e.Info}
	ct, ok := c.toContent(m)
	if !ok {
		return message.Inbound{}, false
	}
	// Buttons and lists travel in a view-once wrapper by convention; they are not
	// view-once content.
	if ct.Kind != message.KindButtons && ct.Kind != message.KindList {
		ct.ViewOnce = ct.ViewOnce || wrappedViewOnce || e.IsViewOnce
	}
	sender := v.party(e.Info.Sender, e.Info.SenderAlt, e.Info.PushName)
	return message.Inbound{
		ID: e.Info.ID, SessionID: v.session, Chat: v.chatOf(e.Info.Chat, sender),
		Sender: sender, FromMe: e.Info.IsFromMe,
		Content: ct, Timestamp: e.Info.Timestamp.UTC(), History: history,
	}, true
}

// chatOf names a one-to-one chat WhatsApp addressed by LID by its phone number
// when that is known, from the other party or the LID store, so that a chat keeps
// one address however WhatsApp addresses it.
func (v view) chatOf(c types.JID, other chat.Party) chat.JID {
	d := toDomain(c)
	if d.Kind() != chat.KindLID {
		return d
	}
	if other.LID == d && !other.JID.IsZero() {
		return other.JID
	}
	if v.alt != nil {
		if pn := v.alt(c); !pn.IsEmpty() {
			return toDomain(pn)
		}
	}
	return d
}

// party describes a person from one or two addresses, filling the other from the LID
// store when it knows it.
func (v view) party(j, alt types.JID, pushName string) chat.Party {
	if alt.IsEmpty() && !j.IsEmpty() && v.alt != nil {
		alt = v.alt(j)
	}
	p := chat.Party{PushName: pushName}
	for _, x := range []types.JID{j, alt} {
		if x.IsEmpty() {
			continue
		}
		d := toDomain(x)
		if d.Kind() == chat.KindLID {
			p.LID = d
		} else if p.JID.IsZero() {
			p.JID = d
		}
	}
	return p
}

func receiptStatus(t types.ReceiptType) (message.Status, bool) {
	switch t {
	case types.ReceiptTypeDelivered:
		return message.StatusDelivered, true
	case types.ReceiptTypeRead:
		return message.StatusRead, true
	case types.ReceiptTypePlayed:
		return message.StatusPlayed, true
	}
	return "", false // our own devices' receipts, retries and server errors
}

func (v view) groupInfo(e *events.GroupInfo) []ports.TransportEvent {
	by := chat.Party{}
	if e.Sender != nil {
		var pn types.JID
		if e.SenderPN != nil {
			pn = *e.SenderPN
		}
		by = v.party(*e.Sender, pn, "")
	}
	at := e.Timestamp.UTC()
	var out []ports.TransportEvent
	for _, ch := range []struct {
		action ports.GroupAction
		jids   []types.JID
	}{{ports.GroupAdd, e.Join}, {ports.GroupRemove, e.Leave}, {ports.GroupPromote, e.Promote}, {ports.GroupDemote, e.Demote}} {
		if len(ch.jids) == 0 {
			continue
		}
		g := ports.TransportGroupParticipants{SessionID: v.session, Group: toDomain(e.JID), Action: ch.action, By: by, At: at}
		for _, j := range ch.jids {
			g.Participants = append(g.Participants, v.party(j, types.EmptyJID, ""))
		}
		out = append(out, g)
	}
	if e.Name != nil || e.Topic != nil || e.Locked != nil || e.Announce != nil {
		u := ports.TransportGroupUpdate{SessionID: v.session, Group: toDomain(e.JID), By: by, At: at}
		if e.Name != nil {
			u.Name = &e.Name.Name
		}
		if e.Topic != nil {
			u.Topic = &e.Topic.Topic
		}
		if e.Locked != nil {
			u.Locked = &e.Locked.IsLocked
		}
		if e.Announce != nil {
			u.Announce = &e.Announce.IsAnnounce
		}
		out = append(out, u)
	}
	for _, n := range e.UnknownChanges {
		if n.Tag == "created_membership_requests" {
			out = append(out, v.joinRequest(e, n, by, at))
		}
	}
	return out
}

// joinRequest is someone asking to join a group that approves joins: WhatsApp names
// them in a participant child, or as the notification's sender.
func (v view) joinRequest(e *events.GroupInfo, n *waBinary.Node, by chat.Party, at time.Time) ports.TransportGroupJoinRequest {
	r := ports.TransportGroupJoinRequest{SessionID: v.session, Group: toDomain(e.JID), Who: by, Method: "invite_link", At: at}
	ag := n.AttrGetter()
	if m := ag.OptionalString("request_method"); m != "" {
		r.Method = m
	}
	if p, ok := n.GetOptionalChildByTag("participant"); ok {
		pag := p.AttrGetter()
		if j := pag.OptionalJIDOrEmpty("jid"); !j.IsEmpty() {
			r.Who = v.party(j, pag.OptionalJIDOrEmpty("phone_number"), "")
		}
	}
	return r
}

func (v view) call(m types.BasicCallMeta, state ports.CallState, video bool) ports.TransportCall {
	from := v.party(m.From, types.EmptyJID, "")
	if !m.CallCreator.IsEmpty() {
		from = v.party(m.CallCreator, m.CallCreatorAlt, "")
	}
	return ports.TransportCall{SessionID: v.session, CallID: m.CallID, From: from, State: state, Video: video,
		Group: !m.GroupJID.IsEmpty(), At: m.Timestamp.UTC()}
}

// history maps a history sync chunk, keeping at most historyMax messages.
func (v view) history(e *events.HistorySync) ports.TransportHistorySync {
	h := ports.TransportHistorySync{SessionID: v.session, Progress: int(e.Data.GetProgress())}
	for _, conv := range e.Data.GetConversations() {
		chatJID, err := types.ParseJID(conv.GetID())
		if err != nil {
			continue
		}
		for _, hm := range conv.GetMessages() {
			if v.historyMax > 0 && len(h.Messages) >= v.historyMax {
				return h
			}
			if evt, ok := v.fromWeb(chatJID, hm.GetMessage()); ok {
				if m, ok := v.toInbound(evt, true); ok {
					h.Messages = append(h.Messages, m)
				}
			}
		}
	}
	return h
}

// fromWeb rebuilds a message event from a history entry, as whatsmeow's
// ParseWebMessage does but without a client: our own messages are authored by me.
func (v view) fromWeb(chatJID types.JID, w *waWeb.WebMessageInfo) (*events.Message, bool) {
	if w == nil || w.GetMessage() == nil {
		return nil, false
	}
	info := types.MessageInfo{
		MessageSource: types.MessageSource{Chat: chatJID, IsFromMe: w.GetKey().GetFromMe(), IsGroup: chatJID.Server == types.GroupServer},
		ID:            w.GetKey().GetID(), PushName: w.GetPushName(), Timestamp: time.Unix(int64(w.GetMessageTimestamp()), 0),
	}
	switch {
	case info.IsFromMe:
		info.Sender, _ = types.ParseJID(v.me.JID)
	case chatJID.Server == types.DefaultUserServer || chatJID.Server == types.HiddenUserServer:
		info.Sender = chatJID
	case w.GetParticipant() != "":
		info.Sender, _ = types.ParseJID(w.GetParticipant())
	default:
		info.Sender, _ = types.ParseJID(w.GetKey().GetParticipant())
	}
	return &events.Message{Info: info, RawMessage: w.GetMessage()}, true
}

func hashPollOptions(options []string) [][]byte { return wm.HashPollOptions(options) }

func equalMessages(a, b *waE2E.Message) bool { return proto.Equal(a, b) }

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
