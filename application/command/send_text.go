package command

import (
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/message"
)

// SendTextInput is a text send request; the session is chosen by id or by its own phone.
type SendTextInput struct {
	SessionID string
	Phone     string
	To        []string
	Text      string
	ReplyTo   string
	Forwarded bool
}

// SendText sends a plain text message through Send.
func (s *Sending) SendText(ctx context.Context, p account.Principal, in SendTextInput) ([]SendResult, error) {
	c := message.TextContent(in.Text)
	c.Forwarded = in.Forwarded
	if in.ReplyTo != "" {
		c.Reply = &message.Reference{ID: in.ReplyTo}
	}
	return s.Send(ctx, p, SendInput{SessionID: in.SessionID, Phone: in.Phone, To: in.To, Content: c})
}
