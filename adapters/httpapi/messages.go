package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/message"
)

func (h *handlers) registerMessages() {
	const tag = "Messages - Sending"
	send := func(id, method string) route {
		return route{id: id, method: method, path: "/api/v1/messages/send/text", tag: tag, access: accessUser,
			summary: "Send a text message to one or more recipients (202 queued, 207 partial, 502 all failed)",
			also:    []int{http.StatusAccepted, http.StatusMultiStatus, http.StatusBadGateway},
			errors:  []int{http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge}}
	}
	register(h, send("postMessagesSendText", http.MethodPost), h.sendTextPOST)
	register(h, send("getMessagesSendText", http.MethodGet), h.sendTextGET)
	register(h, route{id: "getMessageStatus", method: http.MethodGet, path: "/api/v1/messages/{messageId}/status", tag: "Messages - Status",
		summary: "Delivery state of an outbound message", access: accessUser, errors: []int{http.StatusNotFound}}, h.messageStatus)
}

// Recipients is `to`: a string (split on , ; or newlines) or an array of strings.
type Recipients []string

func (r *Recipients) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*r = Recipients{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("to must be a string or an array of strings")
	}
	*r = many
	return nil
}

// Schema documents (and makes huma validate) the two accepted forms.
func (Recipients) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "Digits, JID or LID; a string may list several separated by , ; or newlines.",
		OneOf: []*huma.Schema{
			{Type: huma.TypeString, Examples: []any{"6281234567890"}},
			{Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeString}},
		},
	}
}

type sendTextBody struct {
	_              struct{}   `additionalProperties:"true"`
	SessionID      string     `json:"sessionId,omitempty" doc:"session to send from (or give phone)" example:"main"`
	Phone          string     `json:"phone,omitempty" doc:"digits of the sending session's own number, instead of sessionId"`
	To             Recipients `json:"to,omitempty"`
	JID            Recipients `json:"jid,omitempty" hidden:"true"`
	Target         Recipients `json:"target,omitempty" hidden:"true"`
	Number         Recipients `json:"number,omitempty" hidden:"true"`
	Message        string     `json:"message,omitempty" example:"Hello"`
	ReplyMessageID string     `json:"replyMessageId,omitempty" doc:"message id to quote"`
	IsForwarded    bool       `json:"isForwarded,omitempty"`
	Presence       bool       `json:"presence,omitempty" doc:"accepted for compatibility"`
}

type sendTextPOSTInput struct {
	SessionSelector
	Body sendTextBody
}

type sendTextGETInput struct {
	SessionSelector
	Phone          string `query:"phone"`
	To             string `query:"to" doc:"recipients separated by , ; or newlines (aliases: jid, target, number)"`
	JID            string `query:"jid" hidden:"true"`
	Target         string `query:"target" hidden:"true"`
	Number         string `query:"number" hidden:"true"`
	Message        string `query:"message"`
	ReplyMessageID string `query:"replyMessageId"`
	IsForwarded    bool   `query:"isForwarded"`
	Presence       bool   `query:"presence"`
}

func firstList(lists ...Recipients) []string {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

func (h *handlers) sendTextPOST(ctx context.Context, in *sendTextPOSTInput) (*sendResponse, error) {
	b := in.Body
	return h.sendText(ctx, command.SendTextInput{
		SessionID: firstOf(b.SessionID, in.sessionID()), Phone: b.Phone, To: firstList(b.To, b.JID, b.Target, b.Number),
		Text: b.Message, ReplyTo: b.ReplyMessageID, Forwarded: b.IsForwarded})
}

func (h *handlers) sendTextGET(ctx context.Context, in *sendTextGETInput) (*sendResponse, error) {
	var to []string
	if v := firstOf(in.To, in.JID, in.Target, in.Number); v != "" {
		to = []string{v}
	}
	return h.sendText(ctx, command.SendTextInput{SessionID: in.sessionID(), Phone: in.Phone, To: to,
		Text: in.Message, ReplyTo: in.ReplyMessageID, Forwarded: in.IsForwarded})
}

// sendResult is WAREST's per-recipient SendResult plus our state and error.
type sendResult struct {
	Phone        string       `json:"phone" doc:"digits of the session's own number"`
	To           string       `json:"to" doc:"recipient without domain"`
	ToJID        string       `json:"toJid"`
	MessageID    string       `json:"messageId"`
	Status       string       `json:"status" enum:"text success,text queued,text failed"`
	Timestamp    int64        `json:"timestamp" doc:"unix seconds"`
	AdvancedInfo advancedInfo `json:"advancedInfo"`
	State        string       `json:"state" enum:"queued,sent,delivered,read,failed"`
	Error        string       `json:"error,omitempty"`
}

type advancedInfo struct {
	IsForwarded     bool    `json:"isForwarded"`
	QuotedMessageID *string `json:"quotedMessageId"`
}

// sendEnvelope adds WAREST's top-level `failed` list, present on 207 only.
type sendEnvelope struct {
	Envelope[sendResult]
	Failed []sendResult `json:"failed,omitempty" doc:"the failed recipients, on 207 only"`
}

type sendResponse struct {
	Status int
	Body   sendEnvelope
}

func (h *handlers) sendText(ctx context.Context, in command.SendTextInput) (*sendResponse, error) {
	results, err := h.cmd.SendText(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	out := make([]sendResult, len(results))
	var failed []sendResult
	queued := 0
	for i, r := range results {
		out[i] = toSendResult(r)
		switch r.Message.Status {
		case message.StatusFailed:
			failed = append(failed, out[i])
		case message.StatusQueued:
			queued++
		}
	}
	var resp sendResponse
	resp.Body.Results = out
	switch {
	case len(failed) == len(out):
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusBadGateway, 3002, "Text message failed"
	case len(failed) > 0:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusMultiStatus, 1004, "Text message partially sent"
		resp.Body.Failed = failed
	case queued > 0:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusAccepted, 1002, "Text message queued"
	default:
		resp.Status, resp.Body.Code, resp.Body.Message = http.StatusOK, codeSuccess, "Text message sent"
	}
	resp.Body.Status = is2xx(resp.Status)
	return &resp, nil
}

func toSendResult(r command.SendResult) sendResult {
	m := r.Message
	status := "text success"
	switch m.Status {
	case message.StatusQueued:
		status = "text queued"
	case message.StatusFailed:
		status = "text failed"
	}
	return sendResult{Phone: r.OwnerPhone, To: m.To.User, ToJID: m.To.String(), MessageID: m.ID, Status: status,
		Timestamp: m.UpdatedAt.Unix(), AdvancedInfo: advancedInfo{IsForwarded: m.Content.Forwarded, QuotedMessageID: nullable(quotedID(m.Content))},
		State: string(m.Status), Error: m.FailReason}
}

type messageStatusInput struct {
	SessionSelector
	MessageID string `path:"messageId"`
}

type messageStatusResult struct {
	MessageID string  `json:"messageId"`
	SessionID string  `json:"sessionId"`
	To        string  `json:"to" doc:"recipient JID"`
	Status    string  `json:"status" enum:"queued,sent,delivered,read,failed"`
	Reason    *string `json:"reason" doc:"why it failed"`
	Attempts  int     `json:"attempts"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

func (h *handlers) messageStatus(ctx context.Context, in *messageStatusInput) (*Response[messageStatusResult], error) {
	m, err := h.q.Message(ctx, principal(ctx), in.sessionID(), strings.TrimSpace(in.MessageID))
	if err != nil {
		return nil, err
	}
	return success("Message status", messageStatusResult{MessageID: m.ID, SessionID: m.SessionID, To: m.To.String(),
		Status: string(m.Status), Reason: nullable(m.FailReason), Attempts: m.Attempts,
		CreatedAt: isoTime(m.CreatedAt), UpdatedAt: isoTime(m.UpdatedAt)}), nil
}

func quotedID(c message.Content) string {
	if c.Reply == nil {
		return ""
	}
	return c.Reply.ID
}
