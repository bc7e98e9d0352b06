package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// sandboxInbound is a message a virtual person sends. Only the part matching kind
// is read; a plain {from, text} is a text message.
type sandboxInbound struct {
	From     string `json:"from" doc:"sender phone digits" example:"6289876543210"`
	PushName string `json:"pushName,omitempty" doc:"the sender's name on this message; the contact's own by default (it keeps it)"`
	Group    string `json:"group,omitempty" doc:"group JID to post into; a direct message to the session when omitted" example:"120363000000000001@g.us"`
	SandboxContent
}

// SandboxContent is a message's content, shared by live and history messages
// (exported, as huma reads only exported embedded structs).
type SandboxContent struct {
	Kind     string `json:"kind,omitempty" default:"text" enum:"text,image,video,audio,document,sticker,location,contact,poll,poll_vote,reaction,edit,revoke,pin,buttons,list,interactive_reply,group_invite,unknown"`
	Text     string `json:"text,omitempty" doc:"body, caption, or the new text of an edit" example:"hi there"`
	ReplyTo  string `json:"replyTo,omitempty" doc:"id of the quoted message"`
	TargetID string `json:"targetId,omitempty" doc:"the message a reaction, edit, revoke or pin is about"`
	Emoji    string `json:"emoji,omitempty" doc:"reaction emoji; empty removes the reaction"`
	Unpin    bool   `json:"unpin,omitempty"`

	Media    *sandboxMedia    `json:"media,omitempty"`
	Location *sandboxLocation `json:"location,omitempty"`
	Contacts []sandboxCard    `json:"contacts,omitempty"`
	Poll     *sandboxPoll     `json:"poll,omitempty"`
	PollVote *sandboxPollVote `json:"pollVote,omitempty"`
	Answer   *sandboxAnswer   `json:"answer,omitempty" doc:"a button or list answer"`
	Invite   *sandboxInvite   `json:"invite,omitempty"`
}

type sandboxMedia struct {
	MIME     string `json:"mime" example:"image/jpeg"`
	FileName string `json:"fileName,omitempty"`
	Data     string `json:"data,omitempty" doc:"the file as base64, served to the receiving session's media downloads; metadata alone will do"`
	Size     int64  `json:"size,omitempty" doc:"bytes, when no data is given"`
	Seconds  int    `json:"seconds,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
	PTT      bool   `json:"ptt,omitempty" doc:"audio is a voice note"`
	GIF      bool   `json:"gif,omitempty" doc:"video plays as a GIF"`
}

type sandboxLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

type sandboxCard struct {
	DisplayName string `json:"displayName"`
	VCard       string `json:"vcard"`
}

type sandboxPoll struct {
	Question        string   `json:"question"`
	Options         []string `json:"options"`
	SelectableCount int      `json:"selectableCount,omitempty"`
}

type sandboxPollVote struct {
	PollID   string   `json:"pollId"`
	Selected []string `json:"selected"`
}

type sandboxAnswer struct {
	ID   string `json:"id"`
	Text string `json:"text,omitempty"`
}

type sandboxInvite struct {
	Code      string `json:"code"`
	GroupName string `json:"groupName,omitempty"`
}

// toInbound parses the DTO; the network checks what the kind needs.
func (b sandboxInbound) toInbound() (ports.SandboxInbound, error) {
	in := ports.SandboxInbound{From: b.From, PushName: b.PushName}
	g, err := parseGroup(b.Group)
	if err != nil {
		return in, err
	}
	in.Group = g
	in.Content, in.MediaData, err = b.toContent()
	return in, err
}

// parseGroup parses an optional group JID; "" is the zero JID.
func parseGroup(s string) (chat.JID, error) {
	if s == "" {
		return chat.JID{}, nil
	}
	g, err := chat.ParseJID(s)
	if err != nil || g.Kind() != chat.KindGroup {
		return chat.JID{}, fault.Invalid(fault.ReasonInvalidParameter, "group must be a group JID")
	}
	return g, nil
}

// toContent is the content, and the media file's bytes when given.
func (b SandboxContent) toContent() (message.Content, []byte, error) {
	var raw []byte
	c := message.Content{Kind: message.Kind(b.Kind), Text: b.Text, Emoji: b.Emoji, Unpin: b.Unpin}
	if c.Kind == "" {
		c.Kind = message.KindText
	}
	if b.ReplyTo != "" {
		c.Reply = &message.Reference{ID: b.ReplyTo}
	}
	if b.TargetID != "" {
		c.Target = &message.Reference{ID: b.TargetID}
	}
	if m := b.Media; m != nil {
		media := &message.Media{MIME: m.MIME, FileName: m.FileName, Size: m.Size, Seconds: m.Seconds, Width: m.Width,
			Height: m.Height, PTT: m.PTT, GIF: m.GIF}
		if m.Data != "" {
			var err error
			if raw, err = base64.StdEncoding.DecodeString(m.Data); err != nil {
				return c, nil, fault.Invalid(fault.ReasonInvalidParameter, "media data must be base64")
			}
			sum := sha256.Sum256(raw)
			media.Size, media.FileSHA256 = int64(len(raw)), sum[:]
		}
		c.Media = media
	}
	if l := b.Location; l != nil {
		c.Location = &message.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
	}
	for _, card := range b.Contacts {
		c.Contacts = append(c.Contacts, message.Contact{DisplayName: card.DisplayName, VCard: card.VCard})
	}
	if p := b.Poll; p != nil {
		c.Poll = &message.Poll{Question: p.Question, Options: p.Options, SelectableCount: p.SelectableCount}
	}
	if v := b.PollVote; v != nil {
		c.PollVote = &message.PollVote{Poll: message.Reference{ID: v.PollID}, Selected: v.Selected}
	}
	if a := b.Answer; a != nil {
		c.Answer = &message.InteractiveReply{ID: a.ID, Text: a.Text}
	}
	if i := b.Invite; i != nil {
		c.Invite = &message.GroupInvite{Code: i.Code, GroupName: i.GroupName}
	}
	return c, raw, nil
}

type sandboxInboundInput struct {
	SessionPath
	Body sandboxInbound
}

type sandboxInboundResult struct {
	MessageID string `json:"messageId"`
}

func (h *handlers) sandboxInbound(ctx context.Context, in *sandboxInboundInput) (*Response[sandboxInboundResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	msg, err := in.Body.toInbound()
	if err != nil {
		return nil, err
	}
	id, err := h.sandbox.Inject(in.SessionID, msg)
	if err != nil {
		return nil, err
	}
	return success("Message delivered", sandboxInboundResult{MessageID: id}), nil
}
